package io.herald.functions;

import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.config.AwsClients;
import io.herald.aws.config.Background;
import io.herald.aws.config.JwtSecrets;
import io.herald.aws.dynamodb.DynamoDbChatStore;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.sqs.SqsDelayedTasks;
import io.herald.core.chat.DelayedTasks;
import io.herald.core.chat.InProcessDelayedTasks;
import java.time.Duration;
import io.herald.aws.dynamodb.DynamoDbLedger;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.jwt.JwksKeys;
import io.herald.jwt.JwtVerifier;
import io.herald.core.auth.TokenVerifier;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.EventLog;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.Services;
import java.time.Clock;
import java.time.Instant;
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

    /**
     * Wiring from an environment map: what Lambda gives a function, or what the local stack gives it.
     *
     * <p>A cold start is mostly class loading, in three parts that share few classes: the HTTP
     * client (mostly the JDK's trust store; {@link AwsClients} builds it on its own thread), the
     * DynamoDB client with its first request (which also opens the connection the first invocation
     * reuses) on a helper thread, and Jackson, the JWT verifier and the profiles on this one. With
     * two or more cores they overlap. All are done before this returns, so a SnapStart snapshot
     * holds their result.
     */
    public static Services fromEnv(Map<String, String> env) {
        AwsClients clients = new AwsClients(env);
        String connections = required(env, "HERALD_CONNECTIONS_TABLE");
        Background<DynamoDbClient> ddbReady = Background.start("herald-init", () -> warmedUp(clients.dynamoDb(), connections));

        HeraldConfig config = HeraldConfig.fromEnv(env);
        TokenVerifier verifier = verifier(env, clients);
        String ledgerTable = required(env, "HERALD_LEDGER_TABLE");
        String subscriptions = required(env, "HERALD_SUBSCRIPTIONS_TABLE");
        String connectionsUrl = required(env, "HERALD_CONNECTIONS_URL");
        int shards = Integer.parseInt(env.getOrDefault("HERALD_SUBSCRIPTION_SHARDS", "1"));
        DynamoDbClient ddb = ddbReady.join();

        DynamoDbLedger ledger = new DynamoDbLedger(ddb, ledgerTable, config.dedupWindow());
        ConnectionRegistry registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb, connections),
                new DynamoDbSubscriptionStore(ddb, subscriptions, connections, shards, c -> { }), ledger, ledger);
        ConnectionNotifier notifier = new ApiGatewayNotifier(clients.signedHttp(), connectionsUrl);
        return new Services(Clock.systemUTC(), config, registry, ledger, notifier, verifier, EventLog.STDOUT, Thread::sleep,
                chat(env, clients, ddb));
    }

    /**
     * The chat profile's ports when the template gives a chat table. Delayed tasks go to the SQS
     * queue; without one (the local stack, until it emulates SQS) to an interim in-process timer.
     */
    private static Services.Chat chat(Map<String, String> env, AwsClients clients, DynamoDbClient ddb) {
        String table = env.get("HERALD_CHAT_TABLE");
        if (table == null || table.isBlank()) return null;
        int retentionDays = Integer.parseInt(env.getOrDefault("HERALD_CHAT_RETENTION_DAYS", "0").trim());
        if (retentionDays < 0) throw new IllegalStateException("HERALD_CHAT_RETENTION_DAYS must be 0 (keep) or more");
        String queue = env.get("HERALD_CHAT_TASKS_QUEUE_URL");
        DelayedTasks delays = queue == null || queue.isBlank() ? new InProcessDelayedTasks()
                : new SqsDelayedTasks(clients.signedHttp(), clients.sqsEndpoint(), queue);
        return new Services.Chat(new DynamoDbChatStore(ddb, table, Duration.ofDays(retentionDays)), delays,
                Duration.ofSeconds(Integer.parseInt(env.getOrDefault("HERALD_TYPING_EXPIRY_SECONDS", "5").trim())));
    }

    /** One read of a key that never exists: loads the SDK's request path and opens a pooled connection. */
    private static DynamoDbClient warmedUp(DynamoDbClient ddb, String connectionsTable) {
        try {
            new DynamoDbConnectionStore(ddb, connectionsTable).get("#warm-up", Instant.now());
        } catch (RuntimeException e) {
            // only warmth is lost; the first real request reports a real problem
        }
        return ddb;
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
