package io.herald.core.service;

import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * The core's settings, read through {@link Settings} from the function's environment. Names are
 * the ones template.yaml sets, each from a template parameter (the local stack: {@code --param}).
 *
 * @param maxClientMessageBytes   the largest frame a client may send (HERALD_MAX_MESSAGE_BYTES)
 * @param maxOutboundMessageBytes API Gateway's message limit; a rendered event above it is refused at publish
 * @param connectionLifetime      API Gateway's maximum connection duration; items live this long plus a margin
 * @param inlineFanOutLimit       subscription candidates a publication may have and still be posted by the
 *                                publish function itself; beyond it the fan-out becomes a tree (when a fan-out queue is set)
 * @param fanOutBatchSize         the most connections a batch task of a tree fan-out should hold (batches
 *                                hold 3/4 of it on average: connections are placed by hash)
 */
public record HeraldConfig(
        String defaultProfile,
        int subscriptionLimit,
        int maxConnectionsPerIp,
        int maxClientMessageBytes,
        int maxOutboundMessageBytes,
        int fanoutConcurrency,
        Duration connectionLifetime,
        Duration ttlMargin,
        Duration dedupWindow,
        String policyJson,
        String routesJson,
        int inlineFanOutLimit,
        int fanOutBatchSize) {

    public static final int API_GATEWAY_MESSAGE_LIMIT = 128 * 1024;

    public static HeraldConfig fromEnv(Map<String, String> env) {
        return from(new Settings(env));
    }

    /** @throws IllegalArgumentException naming the variable whose value is unusable */
    public static HeraldConfig from(Settings s) {
        return new HeraldConfig(
                s.string("HERALD_DEFAULT_PROFILE", "topics"),
                s.positiveInt("HERALD_SUBSCRIPTION_LIMIT", 100),
                s.nonNegativeInt("HERALD_MAX_CONNECTIONS_PER_IP", 100),
                s.intBetween("HERALD_MAX_MESSAGE_BYTES", API_GATEWAY_MESSAGE_LIMIT, 1, API_GATEWAY_MESSAGE_LIMIT),
                API_GATEWAY_MESSAGE_LIMIT,
                s.positiveInt("HERALD_FANOUT_CONCURRENCY", 32),
                Duration.ofHours(2),
                Duration.ofMinutes(5),
                Duration.ofHours(s.positiveInt("HERALD_DEDUP_HOURS", 24)),
                s.optional("HERALD_POLICY"),
                s.optional("HERALD_ROUTES"),
                s.positiveInt("HERALD_INLINE_FANOUT_LIMIT", 2000),
                // batches are sized to 3/4 of it on average (BatchAssignment); one frame (base64, up to
                // 171 KB) and that many ids fit SQS's 256 KB, and a batch that outgrew it is split
                s.intBetween("HERALD_FANOUT_BATCH_SIZE", 500, 1, 1000));
    }

    public static HeraldConfig defaults() {
        return fromEnv(Map.of());
    }

    public HeraldConfig withSubscriptionLimit(int limit) {
        return new HeraldConfig(defaultProfile, limit, maxConnectionsPerIp, maxClientMessageBytes, maxOutboundMessageBytes,
                fanoutConcurrency, connectionLifetime, ttlMargin, dedupWindow, policyJson, routesJson,
                inlineFanOutLimit, fanOutBatchSize);
    }

    public HeraldConfig withMaxConnectionsPerIp(int limit) {
        return new HeraldConfig(defaultProfile, subscriptionLimit, limit, maxClientMessageBytes, maxOutboundMessageBytes,
                fanoutConcurrency, connectionLifetime, ttlMargin, dedupWindow, policyJson, routesJson,
                inlineFanOutLimit, fanOutBatchSize);
    }

    public HeraldConfig withFanOut(int inlineLimit, int batchSize) {
        return new HeraldConfig(defaultProfile, subscriptionLimit, maxConnectionsPerIp, maxClientMessageBytes, maxOutboundMessageBytes,
                fanoutConcurrency, connectionLifetime, ttlMargin, dedupWindow, policyJson, routesJson, inlineLimit, batchSize);
    }
}
