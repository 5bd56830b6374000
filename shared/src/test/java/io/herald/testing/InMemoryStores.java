package io.herald.testing;

import io.herald.core.model.Connection;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.store.ConnectionStore;
import io.herald.core.store.PublicationLedger;
import io.herald.core.store.Quotas;
import io.herald.core.store.StatsStore;
import io.herald.core.store.SubscriptionStore;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** In-memory ports for core tests: same contracts as the DynamoDB adapters, no engine. */
public final class InMemoryStores implements ConnectionStore, SubscriptionStore, PublicationLedger, StatsStore, Quotas {
    public final Map<String, Connection> connections = new ConcurrentHashMap<>();
    /** connectionId to (spec key to subscriber). */
    public final Map<String, Map<String, Subscriber>> subscriptions = new ConcurrentHashMap<>();
    public final Map<String, Long> ledger = new ConcurrentHashMap<>();
    public final Map<String, Long> counters = new ConcurrentHashMap<>();

    @Override
    public void put(Connection c) {
        connections.put(c.id(), c);
    }

    @Override
    public Optional<Connection> get(String id, Instant now) {
        Connection c = connections.get(id);
        return c == null || c.expired(now) ? Optional.empty() : Optional.of(c);
    }

    @Override
    public boolean authenticate(String id, String userId, Map<String, String> attributes) {
        Connection c = connections.get(id);
        if (c == null) return false;
        connections.put(id, new Connection(c.id(), userId, c.profile(), c.connectedAt(), c.sourceIp(), c.userAgent(),
                attributes, c.expiresAt()));
        return true;
    }

    @Override
    public Optional<Connection> delete(String id) {
        return Optional.ofNullable(connections.remove(id));
    }

    @Override
    public List<Connection> byUser(String userId, Instant now) {
        return connections.values().stream().filter(c -> userId.equals(c.userId()) && !c.expired(now)).toList();
    }

    @Override
    public synchronized AddResult add(Connection c, SubscriptionSpec spec, int limit, Instant now) {
        if (!connections.containsKey(c.id())) return AddResult.CONNECTION_GONE;
        Map<String, Subscriber> mine = subscriptions.computeIfAbsent(c.id(), k -> new ConcurrentHashMap<>());
        if (mine.containsKey(spec.key())) return AddResult.ALREADY_SUBSCRIBED;
        if (mine.size() >= limit) return AddResult.LIMIT_REACHED;
        // the user only on wildcard patterns, as DynamoDbSubscriptionStore stores it: exact ones were authorized once, here
        mine.put(spec.key(), new Subscriber(c.id(), c.profile(), spec.pattern().isExact() ? null : c.userId(), spec));
        return AddResult.ADDED;
    }

    @Override
    public int remove(String connectionId, TopicPattern pattern) {
        Map<String, Subscriber> mine = subscriptions.getOrDefault(connectionId, Map.of());
        List<String> keys = mine.entrySet().stream().filter(e -> e.getValue().spec().pattern().equals(pattern))
                .map(Map.Entry::getKey).toList();
        keys.forEach(mine::remove);
        return keys.size();
    }

    @Override
    public int removeAll(String connectionId) {
        Map<String, Subscriber> mine = subscriptions.remove(connectionId);
        return mine == null ? 0 : mine.size();
    }

    @Override
    public int purge(String connectionId) {
        return removeAll(connectionId);
    }

    /** The connection's subscriptions, for assertions. */
    public List<Subscriber> forConnection(String connectionId) {
        return new ArrayList<>(subscriptions.getOrDefault(connectionId, Map.of()).values());
    }

    @Override
    public List<Subscriber> candidates(String topic, Instant now) {
        List<Subscriber> out = new ArrayList<>();
        subscriptions.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** Ids released by a failed attempt, not claimed again yet. */
    private final Set<String> released = new HashSet<>();

    /** Ids completed; ids in progress are in {@link #ledger} with the second their claim lapses. */
    public final Map<String, Long> completed = new ConcurrentHashMap<>();

    @Override
    public synchronized Claim claim(String id, Instant now, Instant inProgressUntil) {
        if (completed.containsKey(id)) return Claim.COMPLETED;
        Long until = ledger.get(id);
        if (until != null && until > now.getEpochSecond()) return Claim.IN_PROGRESS;
        ledger.put(id, inProgressUntil.getEpochSecond());
        return released.remove(id) || until != null ? Claim.RECLAIMED : Claim.CLAIMED;
    }

    @Override
    public synchronized void complete(String id, Instant now) {
        ledger.remove(id);
        completed.put(id, now.getEpochSecond());
    }

    @Override
    public synchronized void releaseClaim(String id, Instant heldUntil, Instant now) {
        Long until = ledger.get(id);
        if (until == null || until != heldUntil.getEpochSecond()) return; // completed, taken over, or never claimed
        ledger.remove(id);
        released.add(id);
    }

    /** When set, every counter write throws it (a throttled statistics item). */
    public volatile RuntimeException statsFailure;

    @Override
    public void add(Map<String, Long> deltas) {
        if (statsFailure != null) throw statsFailure;
        deltas.forEach((k, v) -> counters.merge(k, v, Long::sum));
    }

    @Override
    public Map<String, Long> read() {
        return new HashMap<>(counters);
    }

    public final Map<String, Integer> quotas = new ConcurrentHashMap<>();

    @Override
    public synchronized boolean acquire(String key, int limit, Instant now, Instant expiresAt) {
        int n = quotas.getOrDefault(key, 0);
        if (n >= limit) return false;
        quotas.put(key, n + 1);
        return true;
    }

    @Override
    public synchronized void release(String key) {
        quotas.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** A snapshot of everything stored, to assert "bad input changed nothing". */
    public String snapshot() {
        return new java.util.TreeMap<>(connections).toString() + subscriptions + ledger + completed;
    }
}
