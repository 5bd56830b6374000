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
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.PublicationCodec;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.policy.Membership;
import io.herald.core.profile.Profiles;
import io.herald.core.routing.TopicRouter;
import io.herald.core.service.ConnectService;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.EventLog;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.LifecycleService;
import io.herald.core.service.PublishService;
import io.herald.core.service.SessionService;
import io.herald.core.store.PublicationLedger;
import io.herald.core.store.StatsStore;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The composition root: builds the services once per container from the function's environment.
 * Handlers hold one; tests build one over in-memory or local parts with {@link #assemble}.
 */
public final class Herald {
    private static volatile Herald fromEnvironment;

    public final Clock clock;
    public final HeraldConfig config;
    public final PublicationCodec codec;
    public final TokenVerifier verifier;
    public final ConnectionRegistry registry;
    public final ConnectService connect;
    public final SessionService sessions;
    public final PublishService publisher;
    public final LifecycleService lifecycle;

    private Herald(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log) {
        this.clock = clock;
        this.config = config;
        this.verifier = verifier;
        this.registry = registry;
        Profiles profiles = Profiles.standard(config.defaultProfile());
        AccessPolicy policy = config.policyJson() == null ? AccessPolicy.defaults()
                : AccessPolicy.parse(config.policyJson(), Membership.NONE);
        this.codec = new PublicationCodec(config.routesJson() == null ? TopicRouter.defaults() : TopicRouter.parse(config.routesJson()));
        Delivery delivery = new Delivery(notifier, RetryPolicy.DEFAULT, config.fanoutConcurrency());
        this.publisher = new PublishService(registry, ledger, delivery, profiles, policy, config, log);
        this.connect = new ConnectService(registry, verifier, profiles, policy, config, log);
        this.sessions = new SessionService(registry, verifier, profiles, policy, publisher, delivery, config, log);
        this.lifecycle = new LifecycleService(registry, profiles, publisher, delivery, Thread::sleep, log);
    }

    /** Wiring from explicit parts (tests, benchmarks). */
    public static Herald assemble(Clock clock, HeraldConfig config, ConnectionRegistry registry, PublicationLedger ledger,
            ConnectionNotifier notifier, TokenVerifier verifier, EventLog log) {
        return new Herald(clock, config, registry, ledger, notifier, verifier, log);
    }

    /** The container's instance, built on first use from the process environment. */
    public static Herald fromEnvironment() {
        Herald h = fromEnvironment;
        if (h == null) {
            synchronized (Herald.class) {
                if (fromEnvironment == null) fromEnvironment = fromEnv(System.getenv());
                h = fromEnvironment;
            }
        }
        return h;
    }

    /** Wiring from an environment map: what Lambda gives a function, or what the local stack gives it. */
    public static Herald fromEnv(Map<String, String> env) {
        HeraldConfig config = HeraldConfig.fromEnv(env);
        AwsClients clients = new AwsClients(env);
        DynamoDbClient ddb = clients.dynamoDb();
        String connections = required(env, "HERALD_CONNECTIONS_TABLE");
        DynamoDbLedger ledger = new DynamoDbLedger(ddb, required(env, "HERALD_LEDGER_TABLE"), config.dedupWindow());
        int shards = Integer.parseInt(env.getOrDefault("HERALD_SUBSCRIPTION_SHARDS", "1"));
        ConnectionRegistry registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb, connections),
                new DynamoDbSubscriptionStore(ddb, required(env, "HERALD_SUBSCRIPTIONS_TABLE"), connections, shards, c -> { }),
                (StatsStore) ledger);
        ConnectionNotifier notifier = new ApiGatewayNotifier(clients.managementApi(required(env, "HERALD_CONNECTIONS_URL")));
        return new Herald(Clock.systemUTC(), config, registry, ledger, notifier, verifier(env, clients), EventLog.STDOUT);
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
