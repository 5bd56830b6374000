package io.herald.core.store;

import java.util.Map;

/**
 * Counters for /stats and get_stats, kept as increments so reading them never scans.
 * Connections that expire without $disconnect are not decremented: the numbers are an upper bound.
 */
public interface StatsStore {
    String CONNECTIONS = "connections";
    String AUTHENTICATED = "authenticated";
    String SUBSCRIPTIONS = "subscriptions";

    void add(Map<String, Long> deltas);

    Map<String, Long> read();

    static String perProfile(String counter, String profile) {
        return counter + "_" + profile;
    }
}
