package io.herald.core.store;

import io.herald.core.model.Connection;
import java.util.List;

/**
 * Forgets many connections at once: those a fan-out found gone (thousands after a network
 * outage), a batch of ids per call. Guarantee: what a call reports removed, it removed itself. A
 * connection another caller deletes at the same time (its {@code $disconnect}, another fan-out)
 * is reported by one of the two only, so its counters and quotas are given back once.
 */
public interface ConnectionSweeper {
    /** Forgets nothing itself: every id goes to the registry's one-by-one path. */
    ConnectionSweeper ONE_BY_ONE = new ConnectionSweeper() {
        @Override
        public int batchSize() {
            return 100;
        }

        @Override
        public Swept sweep(List<String> ids) {
            return new Swept(List.of(), ids, List.of(), 0);
        }
    };

    /** At most this many distinct ids per {@link #sweep} call. */
    int batchSize();

    /**
     * Deletes those of {@code ids} (distinct) that are stored, with their subscriptions.
     *
     * @return the connections this call deleted, each with the number of its subscriptions; the ids it left to the caller's one-by-one path (changed while it worked); the
     *     ids it could not finish (left for their TTL or their next 410)
     * @throws RuntimeException when the store fails for the whole batch
     */
    Swept sweep(List<String> ids);

    /**
     * One forgotten connection and how many subscriptions it held: they are counted as gone with
     * it even where a delete is still to be done, since nobody else counts a forgotten
     * connection's subscriptions.
     */
    record Removed(Connection connection, int subscriptions) {}

    /** @param subscriptionsLeft subscriptions of removed connections whose delete did not go through (found again by the next 410) */
    record Swept(List<Removed> removed, List<String> contested, List<String> failed, int subscriptionsLeft) {}
}
