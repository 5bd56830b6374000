package io.herald.core.service;

import java.time.Duration;
import java.util.Map;

/**
 * Settings, read from the function's environment. Names are the ones template.yaml sets.
 *
 * @param maxFrameBytes       API Gateway's message limit; a rendered event above it is refused at publish
 * @param connectionLifetime  API Gateway's maximum connection duration; items live this long plus a margin
 */
public record HeraldConfig(
        String defaultProfile,
        int subscriptionLimit,
        int maxConnectionsPerIp,
        int maxClientMessageBytes,
        int maxFrameBytes,
        int fanoutConcurrency,
        Duration connectionLifetime,
        Duration ttlMargin,
        Duration dedupWindow,
        String policyJson,
        String routesJson) {

    public static final int API_GATEWAY_MESSAGE_LIMIT = 128 * 1024;

    public static HeraldConfig fromEnv(Map<String, String> env) {
        return new HeraldConfig(
                env.getOrDefault("HERALD_DEFAULT_PROFILE", "topics"),
                intVar(env, "HERALD_SUBSCRIPTION_LIMIT", 100),
                nonNegative(env, "HERALD_MAX_CONNECTIONS_PER_IP", 100),
                intVar(env, "HERALD_MAX_MESSAGE_BYTES", API_GATEWAY_MESSAGE_LIMIT),
                API_GATEWAY_MESSAGE_LIMIT,
                intVar(env, "HERALD_FANOUT_CONCURRENCY", 32),
                Duration.ofHours(2),
                Duration.ofMinutes(5),
                Duration.ofHours(intVar(env, "HERALD_DEDUP_HOURS", 24)),
                blankToNull(env.get("HERALD_POLICY")),
                blankToNull(env.get("HERALD_ROUTES")));
    }

    public static HeraldConfig defaults() {
        return fromEnv(Map.of());
    }

    public HeraldConfig withSubscriptionLimit(int limit) {
        return new HeraldConfig(defaultProfile, limit, maxConnectionsPerIp, maxClientMessageBytes, maxFrameBytes, fanoutConcurrency,
                connectionLifetime, ttlMargin, dedupWindow, policyJson, routesJson);
    }

    public HeraldConfig withMaxConnectionsPerIp(int limit) {
        return new HeraldConfig(defaultProfile, subscriptionLimit, limit, maxClientMessageBytes, maxFrameBytes,
                fanoutConcurrency, connectionLifetime, ttlMargin, dedupWindow, policyJson, routesJson);
    }

    /** 0 switches a limit off. */
    private static int nonNegative(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v != null && v.trim().equals("0")) return 0;
        return intVar(env, name, fallback);
    }

    private static int intVar(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n <= 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive integer, got '" + v + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
