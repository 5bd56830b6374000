package io.herald.core.store;

import io.herald.core.model.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where open connections live. Every item carries a TTL; readers treat an expired item as absent,
 * because TTL deletion lags expiry and $disconnect is best-effort.
 */
public interface ConnectionStore {
    void put(Connection connection);

    /** The live connection, or empty when unknown or expired. */
    Optional<Connection> get(String connectionId, Instant now);

    /** At most this many distinct ids per {@link #getAll} call. */
    default int getAllLimit() {
        return 100;
    }

    /** The live ones among {@code connectionIds} (distinct, at most {@link #getAllLimit}), read as {@link #get} reads. */
    default List<Connection> getAll(List<String> connectionIds, Instant now) {
        List<Connection> out = new java.util.ArrayList<>();
        for (String id : connectionIds) get(id, now).ifPresent(out::add);
        return out;
    }

    /**
     * Marks a live connection as authenticated. Returns false when the connection no longer
     * exists (it is not recreated).
     */
    boolean authenticate(String connectionId, String userId, Map<String, String> attributes);

    /** Deletes the connection; returns what was deleted, or empty when it was already gone. Idempotent. */
    Optional<Connection> delete(String connectionId);

    /** The user's live connections, by index Query. */
    List<Connection> byUser(String userId, Instant now);
}
