package io.herald.core.service;

import io.herald.core.log.EventLog;
import io.herald.core.model.Connection;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.store.ConnectionStore;
import io.herald.core.store.ConnectionSweeper;
import io.herald.core.store.Quotas;
import io.herald.core.store.StatsStore;
import io.herald.core.store.SubscriptionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Keeps connections, their subscriptions and the stats counters consistent with each other:
 * the one place that adds or forgets a connection.
 */
public final class ConnectionRegistry {
    private final ConnectionStore connections;
    private final SubscriptionStore subscriptions;
    private final StatsStore stats;
    private final Quotas quotas;
    private volatile Consumer<Connection> forgotten = c -> { };
    private volatile Map<String, Integer> perUser = Map.of();
    private volatile ConnectionSweeper sweeper = ConnectionSweeper.ONE_BY_ONE;

    /** Why {@link #admit} refused, or that it stored the connection. */
    public enum Admission { ADMITTED, IP_LIMIT, USER_LIMIT }

    public ConnectionRegistry(ConnectionStore connections, SubscriptionStore subscriptions, StatsStore stats, Quotas quotas) {
        this.connections = connections;
        this.subscriptions = subscriptions;
        this.stats = stats;
        this.quotas = quotas;
    }

    /**
     * Called once for each connection this registry forgot (its profile's disconnected hook), on
     * the caller's thread and never inside the bounded cleanup tasks, whose permits it may need.
     */
    public void onForgotten(Consumer<Connection> listener) {
        this.forgotten = listener;
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

    /**
     * Open connections one user may hold, by profile (chat: 5). Every function that registers or
     * forgets connections must be told the same, since forgetting gives the user's unit back.
     */
    public void limitConnectionsPerUser(Map<String, Integer> byProfile) {
        this.perUser = Map.copyOf(byProfile);
    }

    /**
     * Stores a new connection unless its source address already holds {@code perIpLimit}
     * connections (0: no limit). Returns false, storing nothing, when the limit is reached.
     */
    public boolean register(Connection c, int perIpLimit, Instant now) {
        return admit(c, perIpLimit, now) == Admission.ADMITTED;
    }

    /**
     * Stores a new connection unless its source address holds {@code perIpLimit} connections (0: no
     * limit) or its user holds their profile's limit ({@link #limitConnectionsPerUser}); a refused
     * connection is not stored and takes nothing. The counts are atomic across containers.
     */
    public Admission admit(Connection c, int perIpLimit, Instant now) {
        Instant expires = Instant.ofEpochSecond(c.expiresAt());
        boolean ip = perIpLimit > 0 && c.sourceIp() != null;
        if (ip && !quotas.acquire(ipKey(c.sourceIp()), perIpLimit, now, expires)) return Admission.IP_LIMIT;
        int userLimit = userLimit(c);
        if (userLimit > 0 && !quotas.acquire(userKey(c), userLimit, now, expires)) {
            if (ip) quotas.release(ipKey(c.sourceIp()));
            return Admission.USER_LIMIT;
        }
        connections.put(c);
        Map<String, Long> d = new HashMap<>();
        d.put(StatsStore.CONNECTIONS, 1L);
        d.put(StatsStore.perProfile(StatsStore.CONNECTIONS, c.profile()), 1L);
        if (c.authenticated()) d.put(StatsStore.AUTHENTICATED, 1L);
        count(d);
        return Admission.ADMITTED;
    }

    private static String ipKey(String ip) {
        return "ip#" + ip;
    }

    private int userLimit(Connection c) {
        return c.userId() == null ? 0 : perUser.getOrDefault(c.profile(), 0);
    }

    private static String userKey(Connection c) {
        return "user#" + c.profile() + "#" + c.userId();
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
        if (ok && !c.authenticated()) count(Map.of(StatsStore.AUTHENTICATED, 1L));
        return ok;
    }

    /**
     * Removes a connection and everything scoped to it. Idempotent: a second call (a retried
     * $disconnect, a 410 after $disconnect ran) changes nothing and returns empty.
     */
    public Optional<Connection> forget(String connectionId) {
        Map<String, Long> d = new HashMap<>();
        Optional<Connection> gone = forget(connectionId, d);
        count(d);
        gone.ifPresent(this::announce);
        return gone;
    }

    /**
     * Forgets many connections (those a fan-out found gone): in batches through the
     * {@link #sweepWith sweeper}, {@code parallel} running the batches side by side, bounded
     * ({@code Delivery::forEach}); the ones the sweeper leaves run one by one, side by side too.
     * Quotas are given back once per address, the counters written once for all. A connection
     * whose cleanup fails is left for its TTL or its next 410. Returns the ids whose cleanup failed.
     */
    public List<String> forgetAll(List<String> connectionIds, Parallel parallel) {
        if (connectionIds.isEmpty()) return List.of();
        List<String> ids = List.copyOf(new LinkedHashSet<>(connectionIds));
        ConnectionSweeper sweeper = this.sweeper;
        Map<String, Long> d = new ConcurrentHashMap<>();
        List<Connection> gone = Collections.synchronizedList(new ArrayList<>());
        List<String> oneByOne = Collections.synchronizedList(new ArrayList<>());
        List<String> failed = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger subscriptionsLeft = new AtomicInteger();
        Map<String, Integer> quotaUnits = new ConcurrentHashMap<>();
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += sweeper.batchSize()) {
            batches.add(ids.subList(i, Math.min(ids.size(), i + sweeper.batchSize())));
        }
        for (List<String> batch : parallel.forEach(batches, batch -> {
            ConnectionSweeper.Swept swept = sweeper.sweep(batch);
            for (ConnectionSweeper.Removed r : swept.removed()) {
                gone.add(r.connection());
                counted(r.connection(), r.subscriptions(), d);
                quotaKeys(r.connection()).forEach(k -> quotaUnits.merge(k, 1, Integer::sum));
            }
            oneByOne.addAll(swept.contested());
            failed.addAll(swept.failed());
            subscriptionsLeft.addAndGet(swept.subscriptionsLeft());
        })) {
            failed.addAll(batch);
        }
        failed.addAll(parallel.forEach(List.copyOf(oneByOne), id -> forget(id, d).ifPresent(gone::add)));
        // a release that fails leaves the count to its expiry, as a lost $disconnect does
        parallel.forEach(List.copyOf(quotaUnits.keySet()), k -> quotas.release(k, quotaUnits.get(k)));
        count(d);
        if (subscriptionsLeft.get() > 0) {
            EventLog.STDOUT.log(EventLog.line("cleanup_subscriptions_left").put("subscriptions", subscriptionsLeft.get()));
        }
        gone.forEach(this::announce);
        return failed;
    }

    /**
     * How {@link #forgetAll} deletes in batches (DynamoDB: BatchGetItem, a transaction,
     * BatchWriteItem). Without one, each connection is forgotten by itself.
     */
    public void sweepWith(ConnectionSweeper sweeper) {
        this.sweeper = sweeper;
    }

    /** Runs an action for each item, several at once; returns the items whose action failed. */
    @FunctionalInterface
    public interface Parallel {
        <T> List<T> forEach(List<T> items, Consumer<T> action);
    }

    /** Deletes what is scoped to the connection; adds the counter changes to {@code deltas}. */
    private Optional<Connection> forget(String connectionId, Map<String, Long> deltas) {
        // subscriptions first: the store finds them through the connection's item, consistently
        int subs = subscriptions.purge(connectionId);
        Optional<Connection> gone = connections.delete(connectionId);
        gone.ifPresent(c -> {
            quotaKeys(c).forEach(quotas::release);
            counted(c, subs, deltas);
        });
        return gone;
    }

    /** The quotas a stored connection holds a unit of. */
    private List<String> quotaKeys(Connection c) {
        List<String> keys = new ArrayList<>(2);
        if (c.sourceIp() != null) keys.add(ipKey(c.sourceIp()));
        if (userLimit(c) > 0) keys.add(userKey(c));
        return keys;
    }

    /** Adds to {@code deltas} what forgetting {@code c} and {@code subs} of its subscriptions takes off the counters. */
    private static void counted(Connection c, int subs, Map<String, Long> deltas) {
        deltas.merge(StatsStore.CONNECTIONS, -1L, Long::sum);
        deltas.merge(StatsStore.perProfile(StatsStore.CONNECTIONS, c.profile()), -1L, Long::sum);
        if (c.authenticated()) deltas.merge(StatsStore.AUTHENTICATED, -1L, Long::sum);
        if (subs > 0) {
            deltas.merge(StatsStore.SUBSCRIPTIONS, (long) -subs, Long::sum);
            deltas.merge(StatsStore.perProfile(StatsStore.SUBSCRIPTIONS, c.profile()), (long) -subs, Long::sum);
        }
    }

    /** A failing hook never undoes or fails the cleanup that ran it. */
    private void announce(Connection c) {
        try {
            forgotten.accept(c);
        } catch (RuntimeException e) {
            EventLog.STDOUT.log(EventLog.line("forgotten_hook_failed").put("connectionId", c.id())
                    .put("error", e.getClass().getSimpleName()));
        }
    }

    /**
     * Statistics are best-effort: a throttled or failed counter write is logged, never passed on
     * to the client whose connect, subscribe or disconnect caused it.
     */
    private void count(Map<String, Long> deltas) {
        if (deltas.isEmpty()) return;
        try {
            stats.add(deltas);
        } catch (RuntimeException e) {
            EventLog.STDOUT.log(EventLog.line("stats_write_failed").put("error", e.getClass().getSimpleName()));
        }
    }

    private void countSubscriptions(String profile, int delta) {
        if (delta == 0) return;
        count(Map.of(StatsStore.SUBSCRIPTIONS, (long) delta,
                StatsStore.perProfile(StatsStore.SUBSCRIPTIONS, profile), (long) delta));
    }
}
