package io.herald.aws.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.util.Map;

/**
 * Finds the HS256 secret: HERALD_JWT_SECRET (local stack, tests), else the Secrets Manager secret
 * HERALD_JWT_SECRET_ARN, else the SSM SecureString HERALD_JWT_SECRET_PARAMETER. Callers read it
 * once per container; the secret never appears in code or the template.
 */
public final class JwtSecrets {
    private JwtSecrets() {}

    /** Returns null when no HS256 secret is configured (JWKS-only deployments). */
    public static String resolve(Map<String, String> env, AwsClients clients) {
        String direct = env.get("HERALD_JWT_SECRET");
        if (direct != null && !direct.isBlank()) return direct;
        String arn = env.get("HERALD_JWT_SECRET_ARN");
        if (arn != null && !arn.isBlank()) {
            return unwrap(clients.secretString(arn));
        }
        String param = env.get("HERALD_JWT_SECRET_PARAMETER");
        if (param != null && !param.isBlank()) {
            return clients.parameterValue(param);
        }
        return null;
    }

    /** A secret stored as {"secret": "..."} (the console's key/value form) or as plain text. */
    static String unwrap(String secretString) {
        if (secretString != null && secretString.trim().startsWith("{")) {
            JsonNode n = Json.parse(secretString);
            String v = Json.text(n, "secret");
            if (v != null) return v;
        }
        return secretString;
    }
}
