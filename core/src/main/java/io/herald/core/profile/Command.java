package io.herald.core.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.TopicPattern;
import java.util.List;

/** A client message, decoded by its profile into what Herald should do. */
public sealed interface Command {
    record Auth(String token) implements Command {}

    /**
     * @param replaceAll drop the connection's other subscriptions first (raffle's subscribe)
     * @param echo       what the confirmation repeats back (a topic string, an eventId number)
     */
    record Subscribe(List<SubscriptionSpec> specs, boolean replaceAll, JsonNode echo) implements Command {}

    record Unsubscribe(TopicPattern pattern, JsonNode echo) implements Command {}

    /** A client publishing to one concrete topic (topics profile's {@code message}). */
    record Publish(String topic, String type, ObjectNode data, ObjectNode metadata) implements Command {}

    record Ping() implements Command {}

    record GetStats() implements Command {}

    /** A command only its profile runs (chat's events), through {@link Profile#handle}. */
    record Own(String name, JsonNode data) implements Command {}

    /**
     * A client mistake. {@code field}/{@code issue} are optional detail.
     * Nothing is changed; the profile renders it as its error message (or ignores it).
     */
    record Invalid(int code, String message, String field, String issue) implements Command {
        public static Invalid of(String message) {
            return new Invalid(400, message, null, null);
        }

        public static Invalid field(String message, String field, String issue) {
            return new Invalid(400, message, field, issue);
        }
    }
}
