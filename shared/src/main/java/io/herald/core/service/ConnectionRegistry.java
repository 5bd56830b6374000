package io.herald.core.service;

import io.herald.core.model.Connection;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.store.ConnectionStore;
import io.herald.core.store.StatsStore;
import io.herald.core.store.SubscriptionStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps connections, their subscriptions and the stats counters consistent with each other:
 * the one place that adds or forgets a connection.
 */
public final class ConnectionRegistry {
    private final ConnectionStore connections;
    private final SubscriptionStore subscriptions;
    private final StatsStore stats;

    public ConnectionRegistry(ConnectionStore connections, SubscriptionStore subscriptions, StatsStore stats) {
        this.connections = connections;
        this.subscriptions = subscriptions;
        this.stats = stats;
    }

    public ConnectionStore connections() {
        return connections;
    }

    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    public StatsStore stats() {
        return stats;
    }

    public void register(Connection c) {
        connections.put(c);
        Map<String, Long> d = new HashMap<>();
        d.put(StatsStore.CONNECTIONS, 1L);
        d.put(StatsStore.perProfile(StatsStore.CONNECTIONS, c.profile()), 1L);
        if (c.authenticated()) d.put(StatsStore.AUTHENTICATED, 1L);
        stats.add(d);
    }

    public SubscriptionStore.AddResult subscribe(Connection c, SubscriptionSpec spec, int limit, Instant now) {
        SubscriptionStore.AddResult r = subscriptions.add(c, spec, limit, now);
        if (r == SubscriptionStore.AddResult.ADDED) countSubscriptions(c.profile(), 1);
        return r;
    }

    public int unsubscribe(Connection c, io.herald.core.topic.TopicPattern pattern) {
        int n = subscriptions.remove(c.id(), pattern);
        countSubscriptions(c.profile(), -n);
        return n;
    }

    public int unsubscribeAll(Connection c) {
        int n = subscriptions.removeAll(c.id());
        countSubscriptions(c.profile(), -n);
        return n;
    }

    public boolean authenticate(Connection c, String userId, Map<String, String> attributes) {
        boolean ok = connections.authenticate(c.id(), userId, attributes);
        if (ok && !c.authenticated()) stats.add(Map.of(StatsStore.AUTHENTICATED, 1L));
        return ok;
    }

    /**
     * Removes a connection and everything scoped to it. Idempotent: a second call (a retried
     * $disconnect, a 410 after $disconnect ran) changes nothing and returns empty.
     */
    public Optional<Connection> forget(String connectionId) {
        Optional<Connection> gone = connections.delete(connectionId);
        int subs = subscriptions.removeAll(connectionId);
        gone.ifPresent(c -> {
            Map<String, Long> d = new HashMap<>();
            d.put(StatsStore.CONNECTIONS, -1L);
            d.put(StatsStore.perProfile(StatsStore.CONNECTIONS, c.profile()), -1L);
            if (c.authenticated()) d.put(StatsStore.AUTHENTICATED, -1L);
            if (subs > 0) {
                d.put(StatsStore.SUBSCRIPTIONS, (long) -subs);
                d.put(StatsStore.perProfile(StatsStore.SUBSCRIPTIONS, c.profile()), (long) -subs);
            }
            stats.add(d);
        });
        return gone;
    }

    private void countSubscriptions(String profile, int delta) {
        if (delta == 0) return;
        stats.add(Map.of(StatsStore.SUBSCRIPTIONS, (long) delta,
                StatsStore.perProfile(StatsStore.SUBSCRIPTIONS, profile), (long) delta));
    }
}
