package io.herald.core.chat;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Who is online in the chat, and the status each user set: one record per user, changed
 * atomically, once per connection. The open connections are counted here rather than read from the
 * connections index, which lags: two connections opening (or closing) at once would each see the
 * other and neither announce the change. Methods throw the adapter's runtime exceptions for faults.
 */
public interface PresenceStore {
    /**
     * Records the connection as open until {@code expiresAt} (epoch seconds). True only for the call
     * that took the user from no live connection to one: it announces {@code user:online}. The
     * same connection again, or one already recorded as closed (its close overtook its open), is
     * false and changes nothing.
     */
    boolean opened(String userId, String connectionId, long expiresAt, Instant now);

    /**
     * Records the connection as closed. True only for the call that closed the user's last open
     * connection: it announces {@code user:offline}. A second close of the same connection (a
     * retried $disconnect, a 410 cleanup and a $disconnect, a TTL removal) is false. A connection
     * whose lifetime ended without a close counts as closed for {@link #opened}, never twice here.
     */
    boolean closed(String userId, String connectionId, long expiresAt, Instant now);

    /** Stores the user's {@code user:status}; it stays after the user's connections close. */
    void status(String userId, String status, Instant now);

    /** Of the given users, those with a live connection now, with their stored status (if any). */
    Map<String, Presence> online(Collection<String> userIds, Instant now);

    /** A user online now; {@code status} and {@code statusAt} are null until the user set one. */
    record Presence(String userId, String status, Instant statusAt) {}
}
