package io.herald.core.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.auth.Identity;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One wire protocol (one seed document): a codec plus the few behaviours its document promises.
 * Behaviour lives in hooks that return what to publish or send ({@link Effect}); the services run
 * them, so a profile never needs a service changed for its own presence, receipts or welcome.
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

    /**
     * A last word on an authenticated handshake before the connection is stored (chat: new
     * connections per minute). The reason for a 429, or null to go on.
     */
    default String refuseConnection(String userId, Instant now) {
        return null;
    }

    /** Small values the connection keeps for later frames (email, eventId). */
    default Map<String, String> connectAttributes(Map<String, String> query, Identity identity) {
        return Map.of();
    }

    /** The first frame after connect, or null. Sent asynchronously: nothing can be posted during $connect. */
    default String welcome(Connection connection, Instant now) {
        return null;
    }

    /**
     * A new connection was stored (off the $connect path: on AWS the connections stream). Frames
     * to the connection itself are retried while $connect has not returned. Default: the welcome.
     */
    default List<Effect> connected(Connection c, ProfileContext ctx, Instant now) {
        String w = welcome(c, now);
        return w == null ? List.of() : List.of(Effect.send(c.id(), w));
    }

    /** An anonymous connection authenticated by message for the first time. */
    default List<Effect> authenticated(Connection c, Identity identity, ProfileContext ctx, Instant now) {
        return List.of();
    }

    /**
     * The connection was forgotten: $disconnect, a 410 found by a fan-out, a replacement, a close
     * Herald made. Runs once per connection, after its item is gone.
     */
    default List<Effect> disconnected(Connection c, ProfileContext ctx, Instant now) {
        return List.of();
    }

    /** The metadata a client's own publication carries (topics: the sender). */
    default ObjectNode publicationMetadata(Connection c, ObjectNode clientMetadata) {
        return clientMetadata;
    }

    /** Runs a command only this profile understands ({@link Command.Own}); replies travel as effects. */
    default List<Effect> handle(Command.Own command, Connection c, ProfileContext ctx, Instant now) {
        throw new UnsupportedOperationException(name() + " decodes no commands of its own");
    }

    /** The frame sent before Herald itself closes the connection (chat's connection:closed), or null. */
    default String closingFrame(Connection c, String reason, int code, Instant now) {
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

    /**
     * Chat: live events find a user's connections through the user index, which lags the
     * connection's row; the welcome then waits until the new connection is in it, so that a client
     * told it can receive events does receive them (see LifecycleService).
     */
    default boolean reachedThroughUserIndex() {
        return false;
    }
}
