package io.herald.core.profile;

import io.herald.core.auth.Identity;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One wire protocol (one seed document): a codec plus the few behaviours its document promises.
 * Implementations are stateless and thread-safe.
 */
public interface Profile {
    enum TokenAtConnect {
        /** No token, no connection: handshake rejected with 401. */
        REQUIRED,
        /** A token at connect authenticates; without one the connection starts anonymous. */
        OPTIONAL
    }

    String name();

    TokenAtConnect tokenAtConnect();

    /** Decodes one client frame; never throws for bad input, returns {@link Command.Invalid}. */
    Command decode(String frame);

    /** Whether the command needs an authenticated connection (the profile's 401 otherwise). */
    boolean requiresAuth(Command command);

    /** The frame for a reply, or null when the document has the server say nothing. */
    String render(Reply reply, Connection connection, Instant now);

    /** The frame for an event delivered via {@code topic}, or null when this profile does not show it. */
    String renderEvent(Publication publication, String topic, Instant now);

    /**
     * Subscriptions the connection starts with (booking's {@code ?eventId=}, notify's own feed).
     *
     * @throws IllegalArgumentException for a bad query value (the handshake is rejected with 400)
     */
    default List<SubscriptionSpec> connectSubscriptions(Map<String, String> query, Identity identity) {
        return List.of();
    }

    /** Small values the connection keeps for later frames (email, eventId). */
    default Map<String, String> connectAttributes(Map<String, String> query, Identity identity) {
        return Map.of();
    }

    /** The first frame after connect, or null. Sent asynchronously: nothing can be posted during $connect. */
    default String welcome(Connection connection, Instant now) {
        return null;
    }

    /** Raffle: an invalid token in an {@code auth} message terminates the connection. */
    default boolean closeOnAuthFailure() {
        return false;
    }

    /** Notify: a user has one connection; a new one closes the older. */
    default boolean singleConnectionPerUser() {
        return false;
    }

    /** Raffle: Herald itself publishes user_joined / user_left. */
    default boolean announcesPresence() {
        return false;
    }
}
