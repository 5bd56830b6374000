package io.herald.core.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.auth.Identity;
import io.herald.core.json.Json;
import io.herald.core.json.Timestamps;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.Topic;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event-booking API (seed 001): {@code {type, eventId, ...}}, token required at connect,
 * {@code ?eventId=} subscribes at connect (standing in for the path {@code /ws/events/{eventId}}).
 */
public final class BookingProfile implements Profile {
    public static final String NAME = "booking";
    /** Never broadcast, whatever the publisher sent (the document's privacy note). */
    private static final Set<String> PRIVATE_FIELDS = Set.of("bookingId", "userId", "eventId");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TokenAtConnect tokenAtConnect() {
        return TokenAtConnect.REQUIRED;
    }

    @Override
    public List<SubscriptionSpec> connectSubscriptions(Map<String, String> query, Identity identity) {
        String eventId = query.get("eventId");
        if (eventId == null) return List.of();
        return List.of(SubscriptionSpec.of(TopicPattern.parse(eventTopic(eventId))));
    }

    @Override
    public Map<String, String> connectAttributes(Map<String, String> query, Identity identity) {
        String eventId = query.get("eventId");
        return eventId == null ? Map.of() : Map.of("eventId", eventId);
    }

    private static String eventTopic(String eventId) {
        String topic = "events." + Topic.segment(eventId);
        if (!Topic.isValid(topic)) throw new IllegalArgumentException("invalid eventId: it must be a topic segment");
        return topic;
    }

    @Override
    public String welcome(Connection c, Instant now) {
        ObjectNode out = Json.object().put("type", "connection_established").put("clientId", c.id());
        Frames.putId(out, "eventId", c.attribute("eventId"));
        out.put("timestamp", Timestamps.millis(now));
        return Frames.write(out);
    }

    @Override
    public Command decode(String frame) {
        ObjectNode m = Frames.object(frame);
        if (m == null) return Command.Invalid.of("Invalid message format");
        String type = Json.text(m, "type");
        if (type == null) return Command.Invalid.field("Missing required field: type", "type", "required");
        return switch (type) {
            case "subscribe_event", "unsubscribe_event" -> {
                JsonNode eventId = m.get("eventId");
                if (eventId == null || eventId.isNull()) yield Command.Invalid.field("Missing required field: eventId", "eventId", "required");
                if (!(eventId.isIntegralNumber() || eventId.isTextual())) {
                    yield Command.Invalid.field("Invalid eventId", "eventId", "must be a number");
                }
                TopicPattern p;
                try {
                    p = TopicPattern.parse(eventTopic(eventId.asText()));
                } catch (IllegalArgumentException e) {
                    yield Command.Invalid.field("Invalid eventId", "eventId", "invalid");
                }
                yield type.equals("subscribe_event")
                        ? new Command.Subscribe(List.of(SubscriptionSpec.of(p)), false, eventId)
                        : new Command.Unsubscribe(p, eventId);
            }
            case "ping" -> new Command.Ping();
            case "get_stats" -> new Command.GetStats();
            default -> Command.Invalid.field("Unknown message type: " + type, "type", "unknown");
        };
    }

    @Override
    public boolean requiresAuth(Command c) {
        return false; // every booking connection authenticated at connect
    }

    @Override
    public String render(Reply reply, Connection connection, Instant now) {
        ObjectNode out = Json.object();
        if (reply instanceof Reply.Subscribed s) {
            out.put("type", "subscribed").set("eventId", s.echo());
        } else if (reply instanceof Reply.Unsubscribed u) {
            out.put("type", "unsubscribed").set("eventId", u.echo());
        } else if (reply instanceof Reply.Pong) {
            out.put("type", "pong");
        } else if (reply instanceof Reply.Stats s) {
            out.put("type", "stats").putObject("data")
                    .put("totalClients", s.connections()).put("eventSubscriptions", s.subscriptions());
        } else if (reply instanceof Reply.Error e) {
            out.put("type", "error").put("message", e.message());
        } else {
            return null;
        }
        out.put("timestamp", Timestamps.millis(now));
        return Frames.write(out);
    }

    @Override
    public String renderEvent(Publication p, String topic, Instant now) {
        if (!topic.startsWith("events.")) return null; // booking clients only know event-scoped updates
        ObjectNode out = Json.object().put("type", p.type());
        JsonNode eventId = p.data().get("eventId");
        if (eventId != null && (eventId.isNumber() || eventId.isTextual())) out.set("eventId", eventId);
        else Frames.putId(out, "eventId", Topic.unescape(topic.substring("events.".length())));
        p.data().fields().forEachRemaining(f -> {
            if (!PRIVATE_FIELDS.contains(f.getKey())) out.set(f.getKey(), f.getValue());
        });
        out.put("timestamp", Timestamps.millis(now));
        return Frames.write(out);
    }
}
