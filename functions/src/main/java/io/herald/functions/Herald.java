package io.herald.functions;

import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.config.AwsClients;
import io.herald.aws.config.Background;
import io.herald.aws.config.JwtSecrets;
import io.herald.aws.dynamodb.DynamoDbBatchPlans;
import io.herald.aws.dynamodb.DynamoDbChatStore;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbConnectionSweeper;
import io.herald.aws.dynamodb.DynamoDbDeliveredSets;
import io.herald.aws.dynamodb.DynamoDbPublicationLedger;
import io.herald.aws.dynamodb.DynamoDbQuotas;
import io.herald.aws.dynamodb.DynamoDbRateLimiter;
import io.herald.core.chat.ChatLimits;
import io.herald.core.chat.ContentProtection;
import io.herald.aws.dynamodb.DynamoDbStats;
import io.herald.aws.sqs.SqsDelayedTasks;
import io.herald.core.chat.DelayedTasks;
import io.herald.core.chat.InProcessDelayedTasks;
import java.time.Duration;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.aws.sqs.SqsFanOutQueue;
import io.herald.jwt.JwksKeys;
import io.herald.jwt.JwtVerifier;
import io.herald.jwt.RotatingSecret;
import io.herald.core.auth.TokenVerifier;
import io.herald.core.config.Settings;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.log.EventLog;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.Services;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The composition root on Lambda: builds the AWS ports from the function's environment, once per
 * container, and the services over them. Each function builds what it uses: only those that
 * verify tokens ({@link Tokens#VERIFIED}) read the JWT secret, and only they are granted it.
 */
public final class Herald {
    /** Whether a function verifies tokens. */
    public enum Tokens {
        /** $connect, $default, the HTTP API: reads the JWT secret (Secrets Manager or SSM on AWS) or the JWKS URL. */
        VERIFIED,
        /** $disconnect, the connections stream, publish: no secret read, no JWT library loaded. */
        UNUSED
    }

    /** Stands in where no token is ever verified; a call is a wiring mistake, not a client's. */
    static final TokenVerifier NO_VERIFIER = token -> {
        throw new IllegalStateException("this function was built without a token verifier (Herald.Tokens.UNUSED)");
    };

    private static final Map<Tokens, Services> fromEnvironment = new EnumMap<>(Tokens.class);

    private Herald() {}

    /** The container's instance, built on first use from the process environment. */
    public static synchronized Services fromEnvironment(Tokens tokens) {
        Services h = fromEnvironment.get(tokens);
        if (h == null) {
            h = fromEnv(System.getenv(), tokens);
            fromEnvironment.put(tokens, h);
            Priming.register(h); // SnapStart: warm the paths before the snapshot
        }
        return h;
    }

    /** Everything, tokens included (tests, tools). */
    public static Services fromEnv(Map<String, String> env) {
        return fromEnv(env, Tokens.VERIFIED);
    }

    /**
     * Wiring from an environment map: what Lambda gives a function, or what the local stack gives it.
     *
     * <p>A cold start is mostly class loading, in three parts that share few classes: the HTTP
     * client (mostly the JDK's trust store; {@link AwsClients} builds it on its own thread), the
     * DynamoDB client with its first request (which also opens the connection the first invocation
     * reuses) on a helper thread, and Jackson, the JWT verifier (where used) and the profiles on
     * this one. With two or more cores they overlap. All are done before this returns, so a
     * SnapStart snapshot holds their result.
     *
     * @throws IllegalStateException    when a required setting is missing
     * @throws IllegalArgumentException when a setting has an unusable value (the message names it)
     */
    public static Services fromEnv(Map<String, String> env, Tokens tokens) {
        return build(new Settings(env), new AwsClients(env), tokens);
    }

    static Services build(Settings settings, AwsClients clients, Tokens tokens) {
        String connections = settings.required("HERALD_CONNECTIONS_TABLE");
        Background<DynamoDbClient> ddbReady = Background.start("herald-init", () -> warmedUp(clients.dynamoDb(), connections));

        HeraldConfig config = HeraldConfig.from(settings);
        TokenVerifier verifier = tokens == Tokens.VERIFIED ? verifier(settings, clients) : NO_VERIFIER;
        String ledgerTable = settings.required("HERALD_LEDGER_TABLE");
        String subscriptions = settings.required("HERALD_SUBSCRIPTIONS_TABLE");
        String connectionsUrl = settings.required("HERALD_CONNECTIONS_URL");
        int shards = settings.intBetween("HERALD_SUBSCRIPTION_SHARDS", 1, 1, 64);
        DynamoDbClient ddb = ddbReady.join();

        DynamoDbPublicationLedger ledger = new DynamoDbPublicationLedger(ddb, ledgerTable, config.dedupWindow());
        ConnectionRegistry registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb, connections),
                new DynamoDbSubscriptionStore(ddb, subscriptions, connections, shards, c -> { }),
                new DynamoDbStats(ddb, ledgerTable), new DynamoDbQuotas(ddb, ledgerTable));
        registry.sweepWith(new DynamoDbConnectionSweeper(ddb, connections, subscriptions));
        ConnectionNotifier notifier = new ApiGatewayNotifier(clients.signedHttp(), connectionsUrl);
        return new Services(Clock.systemUTC(), config, registry, ledger, notifier, verifier, EventLog.STDOUT, Thread::sleep,
                chat(settings, clients, ddb, ledgerTable), fanOut(settings, clients, ddb, ledgerTable, config));
    }

    /**
     * The chat profile's ports when the template gives a chat table. Delayed tasks go to the SQS
     * queue (on AWS and in the local stack). A chat table without a queue is a wiring mistake: an
     * in-process timer dies with the invocation, and typing would never expire; only a process that
     * outlives its calls may ask for one ({@code HERALD_CHAT_TASKS_IN_PROCESS=true}).
     */
    private static Services.Chat chat(Settings settings, AwsClients clients, DynamoDbClient ddb, String ledgerTable) {
        String table = settings.optional("HERALD_CHAT_TABLE");
        if (table == null) return null;
        int retentionDays = settings.nonNegativeInt("HERALD_CHAT_RETENTION_DAYS", 0); // 0 keeps messages
        String queue = settings.optional("HERALD_CHAT_TASKS_QUEUE_URL");
        if (queue == null && !settings.flag("HERALD_CHAT_TASKS_IN_PROCESS")) {
            throw new IllegalStateException("HERALD_CHAT_TABLE is set but HERALD_CHAT_TASKS_QUEUE_URL is not: the chat's typing expiry "
                    + "needs the ChatTasksQueue (set HERALD_CHAT_TASKS_IN_PROCESS=true only where the process outlives its calls)");
        }
        DelayedTasks delays = queue == null ? new InProcessDelayedTasks()
                : new SqsDelayedTasks(clients.signedHttp(), clients.sqsEndpoint(), queue);
        return new Services.Chat(new DynamoDbChatStore(ddb, table, Duration.ofDays(retentionDays)), delays,
                Duration.ofSeconds(settings.positiveInt("HERALD_TYPING_EXPIRY_SECONDS", 5)), ChatLimits.from(settings),
                new DynamoDbRateLimiter(ddb, ledgerTable), ContentProtection.from(settings, settings.optional("HERALD_CHAT_BLOCKED_WORDS")));
    }

    /**
     * The tree fan-out's ports when the function is given a fan-out queue (publish and the
     * fan-out worker); without one every publication is fanned out inline. Either way the
     * delivered sets, so that an inline publication's retry skips whom it reached.
     */
    static FanOutPorts fanOut(Settings settings, AwsClients clients, DynamoDbClient ddb, String ledgerTable, HeraldConfig config) {
        String queueUrl = settings.optional("HERALD_FANOUT_QUEUE_URL");
        if (queueUrl == null) return FanOutPorts.inlineOnly(new DynamoDbDeliveredSets(ddb, ledgerTable));
        return new FanOutPorts(new SqsFanOutQueue(clients.signedHttp(), clients.sqsEndpoint(), queueUrl, RetryPolicy.DEFAULT, Thread::sleep),
                new DynamoDbDeliveredSets(ddb, ledgerTable),
                new DynamoDbPublicationLedger(ddb, ledgerTable, config.dedupWindow(), "fob#"), new DynamoDbBatchPlans(ddb, ledgerTable));
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

    static TokenVerifier verifier(Settings settings, AwsClients clients) {
        String issuer = settings.optional("HERALD_JWT_ISSUER");
        String audience = settings.optional("HERALD_JWT_AUDIENCE");
        String jwksUrl = settings.optional("HERALD_JWKS_URL");
        String secret = JwtSecrets.resolve(settings, clients);
        java.util.function.Function<String, JwtVerifier> hs256 = s -> JwtVerifier.hs256(s, issuer, audience, Clock.systemUTC());
        TokenVerifier hs = null;
        if (secret != null && settings.optional("HERALD_JWT_SECRET") == null) {
            // from Secrets Manager or SSM: follow a rotation (read again on a bad signature, at most once a minute)
            hs = new RotatingSecret(secret, () -> JwtSecrets.resolve(settings, clients), hs256, Clock.systemUTC(), Duration.ofMinutes(1));
        } else if (secret != null) {
            hs = hs256.apply(secret);
        }
        JwtVerifier jwks = jwksUrl == null ? null
                : JwtVerifier.jwks(JwksKeys.fromUrl(jwksUrl, Clock.systemUTC()), issuer, audience, Clock.systemUTC());
        if (hs == null && jwks == null) {
            throw new IllegalStateException("no JWT configuration: set HERALD_JWT_SECRET(_ARN|_PARAMETER) or HERALD_JWKS_URL");
        }
        return hs == null ? jwks : jwks == null ? hs : JwtVerifier.either(hs, jwks);
    }
}
