package io.herald.aws.config;

import io.herald.core.config.Settings;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.util.List;
import java.util.Map;

/**
 * Finds the HS256 secret from exactly one source: HERALD_JWT_SECRET (local stack, tests), the
 * Secrets Manager secret HERALD_JWT_SECRET_ARN or the SSM SecureString
 * HERALD_JWT_SECRET_PARAMETER. Callers read it at init, and again after a rotation
 * ({@link io.herald.jwt.RotatingSecret}); the secret never appears in code or the template.
 *
 * <p>Two sources set is refused rather than one silently winning (a development secret left in
 * a function's environment used to override the managed one). The documented development secret
 * is refused unless the environment says {@value #ALLOW_DEVELOPMENT_SECRET}=true, which only the
 * local stack sets: a configuration flag, not a "local mode".
 */
public final class JwtSecrets {
    /** Published in the README: anyone can sign tokens with it. */
    public static final String DEVELOPMENT_SECRET = "herald-local-development-secret-do-not-deploy";
    public static final String ALLOW_DEVELOPMENT_SECRET = "HERALD_ALLOW_DEVELOPMENT_SECRET";
    private static final List<String> SOURCES = List.of("HERALD_JWT_SECRET", "HERALD_JWT_SECRET_ARN", "HERALD_JWT_SECRET_PARAMETER");

    private JwtSecrets() {}

    /**
     * Returns null when no HS256 secret is configured (JWKS-only deployments).
     *
     * @throws IllegalStateException when two sources are set, or the development secret is found
     *                               without the local stack's permission
     */
    public static String resolve(Map<String, String> env, AwsClients clients) {
        return resolve(new Settings(env), clients);
    }

    /** As {@link #resolve(Map, AwsClients)}, from the function's settings. */
    public static String resolve(Settings settings, AwsClients clients) {
        List<String> set = SOURCES.stream().filter(n -> settings.optional(n) != null).toList();
        if (set.size() > 1) {
            throw new IllegalStateException("JWT secret configured twice (" + String.join(", ", set)
                    + "): set exactly one; on AWS use JwtSecretArn or JwtSecretParameter and no HERALD_JWT_SECRET");
        }
        String secret = null;
        if (set.contains("HERALD_JWT_SECRET")) secret = settings.optional("HERALD_JWT_SECRET");
        else if (set.contains("HERALD_JWT_SECRET_ARN")) secret = unwrap(clients.secretString(settings.optional("HERALD_JWT_SECRET_ARN")));
        else if (set.contains("HERALD_JWT_SECRET_PARAMETER")) secret = clients.parameterValue(settings.optional("HERALD_JWT_SECRET_PARAMETER"));
        if (DEVELOPMENT_SECRET.equals(secret) && !settings.flag(ALLOW_DEVELOPMENT_SECRET)) {
            throw new IllegalStateException("the JWT secret is the published development secret; it is accepted only where "
                    + ALLOW_DEVELOPMENT_SECRET + "=true (the local stack sets it); configure a secret of your own");
        }
        return secret;
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
