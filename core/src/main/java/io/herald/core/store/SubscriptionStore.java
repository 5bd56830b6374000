package io.herald.core.store;

import io.herald.core.model.Connection;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Subscriptions, indexed so a publication finds its subscribers without scanning: exact patterns
 * under their topic, wildcard patterns under their literal prefix.
 */
public interface SubscriptionStore {
    enum AddResult {
        ADDED, ALREADY_SUBSCRIBED, LIMIT_REACHED, CONNECTION_GONE,
        /** Other writes to the same connection kept conflicting (or throttling) past the retries: try again. */
        BUSY
    }

    /**
     * Adds a subscription for a live connection. The per-connection limit is enforced atomically
     * with the write, so concurrent subscribes cannot overshoot it.
     */
    AddResult add(Connection connection, SubscriptionSpec spec, int limit, Instant now);

    /**
     * Removes the connection's subscriptions with this pattern, including one added a moment ago;
     * returns how many this call removed (a concurrent removal of the same ones counts once, in
     * one of the two). Those of a connection forgotten meanwhile are removed but not counted here:
     * forgetting it counted them.
     */
    int remove(String connectionId, TopicPattern pattern);

    /** Removes every subscription of the connection, including one added a moment ago; returns how many this call removed. Idempotent. */
    int removeAll(String connectionId);

    /**
     * Removes every subscription of a connection that is being forgotten (its item is deleted
     * next, so its counter is not kept); returns how many this call removed. Cheaper than
     * {@link #removeAll}: cleanup of thousands of gone connections runs it for each.
     */
    int purge(String connectionId);

    /**
     * Every live subscription that may match the concrete topic: exact ones on it, and wildcard
     * ones indexed under one of its prefixes. Callers still match patterns and filters. Queries only.
     */
    List<Subscriber> candidates(String topic, Instant now);

    /** Partitions per topic: every connection's subscriptions sit in one of them ({@code 0..shards()-1}). */
    default int shards() {
        return 1;
    }

    /** {@link #candidates(String, Instant)} of one shard only: what one tree fan-out worker reads. */
    default List<Subscriber> candidates(String topic, int shard, Instant now) {
        return shard == 0 ? candidates(topic, now) : List.of();
    }

    /**
     * {@link #candidates(String, Instant)} when there are at most {@code limit}; empty as soon as
     * more are found, having read little beyond the limit (the publisher's test of a large topic).
     */
    default Optional<List<Subscriber>> candidates(String topic, Instant now, int limit) {
        List<Subscriber> all = candidates(topic, now);
        return all.size() > limit ? Optional.empty() : Optional.of(all);
    }
}
