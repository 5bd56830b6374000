package io.herald.core.profile;

import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.store.SubscriptionStore;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a profile's own behaviour may use of Herald (chat's rooms, presence and receipts): the
 * connection registry and delivery, behind one small interface so profiles stay free of stores.
 */
public interface ProfileContext {
    /** The user's live connections that speak {@code profile} (a Query on the user index). */
    List<Connection> connectionsOf(String userId, String profile, Instant now);

    /** Connections of {@code profile} with an exact subscription to {@code topic} (a Query on its bucket). */
    Set<String> subscribers(String topic, String profile, Instant now);

    /** Subscribes the connection within the subscription limit; says what became of it. */
    SubscriptionStore.AddResult subscribe(Connection c, TopicPattern pattern, Instant now);

    void unsubscribe(Connection c, TopicPattern pattern);

    /** Posts one frame to each connection; returns those that received it. Never throws for a gone one. */
    Set<String> send(Collection<String> connectionIds, String frame);

    /**
     * Posts each connection its own frame the way a publication's fan-out does: a 410 from a
     * connection still in its connect window is retried through it, any other 410 forgets the
     * connection. For senders that promise at least once: what {@link Posted#retryable} counts is
     * what their retry must post again.
     *
     * @param frames connection id to the frame it gets
     */
    Posted post(Map<String, String> frames, Instant now);

    /**
     * What {@link #post} did.
     *
     * @param reached   the connections that received their frame
     * @param retryable those a later attempt may still reach (throttled or failing past the retries,
     *                  or still refusing in $connect); {@code failed} counts them and refusals for good
     */
    record Posted(int targets, Set<String> reached, int gone, int retried, int failed, int retryable) {
        public static final Posted NONE = new Posted(0, Set.of(), 0, 0, 0, 0);
    }

    /**
     * Closes a connection the way every close Herald makes goes: the profile's closing frame first
     * ({@link Profile#closingFrame}), then the close, then the connection is forgotten.
     */
    void close(Connection c, String reason, int code, Instant now);

    /**
     * Fans a publication out, as a backend's would be. An invalid one is logged and dropped; a
     * retryable failure (an id not delivered to every subscriber) is thrown, for the caller's retry.
     */
    void publish(Publication p, Instant now);

    /** Runs effects in order. */
    default void run(List<Effect> effects, Instant now) {
        for (Effect e : effects) {
            if (e instanceof Effect.Publish p) publish(p.publication(), now);
            else if (e instanceof Effect.Send s) send(s.connectionIds(), s.frame());
        }
    }
}
