package io.herald.functions;

import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.config.AwsClients;
import io.herald.aws.config.JwtSecrets;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbLedger;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.auth.JwksKeys;
import io.herald.core.auth.JwtVerifier;
import io.herald.core.auth.TokenVerifier;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.EventLog;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.Services;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The composition root on Lambda: builds the AWS ports from the function's environment, once per
 * container, and the services over them.
 */
public final class Herald {
    private static volatile Services fromEnvironment;

    private Herald() {}

    /** The container's instance, built on first use from the process environment. */
    public static Services fromEnvironment() {
        Services h = fromEnvironment;
        if (h == null) {
            synchronized (Herald.class) {
                if (fromEnvironment == null) {
                    fromEnvironment = fromEnv(System.getenv());
                    Priming.register(fromEnvironment); // SnapStart: warm the paths before the snapshot
                }
                h = fromEnvironment;
            }
        }
        return h;
    }

    /** Wiring from an environment map: what Lambda gives a function, or what the local stack gives it. */
    public static Services fromEnv(Map<String, String> env) {
        HeraldConfig config = HeraldConfig.fromEnv(env);
        AwsClients clients = new AwsClients(env);
        DynamoDbClient ddb = clients.dynamoDb();
        String connections = required(env, "HERALD_CONNECTIONS_TABLE");
        DynamoDbLedger ledger = new DynamoDbLedger(ddb, required(env, "HERALD_LEDGER_TABLE"), config.dedupWindow());
        int shards = Integer.parseInt(env.getOrDefault("HERALD_SUBSCRIPTION_SHARDS", "1"));
        ConnectionRegistry registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb, connections),
                new DynamoDbSubscriptionStore(ddb, required(env, "HERALD_SUBSCRIPTIONS_TABLE"), connections, shards, c -> { }),
                ledger, ledger);
        ConnectionNotifier notifier = new ApiGatewayNotifier(clients.managementApi(required(env, "HERALD_CONNECTIONS_URL")));
        return new Services(Clock.systemUTC(), config, registry, ledger, notifier, verifier(env, clients),
                EventLog.STDOUT, Thread::sleep);
    }

    static TokenVerifier verifier(Map<String, String> env, AwsClients clients) {
        String issuer = env.get("HERALD_JWT_ISSUER");
        String audience = env.get("HERALD_JWT_AUDIENCE");
        String jwksUrl = env.get("HERALD_JWKS_URL");
        String secret = JwtSecrets.resolve(env, clients);
        JwtVerifier hs = secret == null ? null : JwtVerifier.hs256(secret, issuer, audience, Clock.systemUTC());
        JwtVerifier jwks = jwksUrl == null || jwksUrl.isBlank() ? null
                : JwtVerifier.jwks(JwksKeys.fromUrl(jwksUrl, Clock.systemUTC()), issuer, audience, Clock.systemUTC());
        if (hs == null && jwks == null) {
            throw new IllegalStateException("no JWT configuration: set HERALD_JWT_SECRET(_ARN|_PARAMETER) or HERALD_JWKS_URL");
        }
        return hs == null ? jwks : jwks == null ? hs : JwtVerifier.either(hs, jwks);
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) throw new IllegalStateException("environment variable " + name + " is not set");
        return v;
    }
}
