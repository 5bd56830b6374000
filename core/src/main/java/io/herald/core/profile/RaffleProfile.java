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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The raffle platform's API (seed 000): {@code {message_type, data, timestamp}}, auth by message,
 * filtered subscriptions that replace each other, invalid input ignored (logged), bad token closes.
 */
public final class RaffleProfile implements Profile {
    public static final String NAME = "raffle";

    /** Filter fields in the order that picks the subscription's topic; the rest become data filters. */
    private static final Map<String, String> TOPIC_OF_FIELD = topicFields();

    private static Map<String, String> topicFields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("raffle_id", "raffles.");
        m.put("item_id", "items.");
        m.put("room", "rooms.");
        m.put("user_id", "users.");
        return m;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TokenAtConnect tokenAtConnect() {
        return TokenAtConnect.OPTIONAL;
    }

    @Override
    public Command decode(String frame) {
        ObjectNode m = Frames.object(frame);
        if (m == null) return Command.Invalid.of("invalid JSON");
        String type = Json.text(m, "message_type");
        if (type == null) return Command.Invalid.of("message_type missing");
        JsonNode data = m.path("data");
        return switch (type) {
            case "auth" -> {
                String token = Json.text(data, "token");
                yield token == null || token.isBlank() ? Command.Invalid.of("auth without data.token") : new Command.Auth(token);
            }
            case "subscribe" -> decodeSubscribe(data.get("subscriptions"));
            case "ping" -> new Command.Ping();
            default -> Command.Invalid.of("unknown message_type " + type);
        };
    }

    private static Command decodeSubscribe(JsonNode subs) {
        if (subs == null || !subs.isArray()) return Command.Invalid.of("subscribe without data.subscriptions array");
        List<SubscriptionSpec> specs = new ArrayList<>();
        for (JsonNode s : subs) {
            if (!s.isObject()) return Command.Invalid.of("subscription is not an object");
            String eventType = Json.text(s, "event_type");
            Set<String> types = eventType == null || eventType.equals("all") ? Set.of() : Set.of(eventType);
            String topic = null;
            Map<String, String> filters = new LinkedHashMap<>();
            for (Map.Entry<String, String> f : TOPIC_OF_FIELD.entrySet()) {
                JsonNode v = s.get(f.getKey());
                if (v == null || v.isNull()) continue; // null filters are ignored, as documented
                if (!(v.isTextual() || v.isIntegralNumber())) return Command.Invalid.of(f.getKey() + " must be a string");
                if (topic == null) {
                    topic = f.getValue() + Topic.segment(v.asText());
                    if (!Topic.isValid(topic)) return Command.Invalid.of(f.getKey() + " has characters a topic cannot hold");
                } else {
                    filters.put(f.getKey(), v.asText());
                }
            }
            specs.add(new SubscriptionSpec(TopicPattern.parse(topic == null ? "**" : topic), types, filters));
        }
        return new Command.Subscribe(specs, true, null);
    }

    @Override
    public boolean requiresAuth(Command c) {
        return false; // anonymous connections receive public events; private topics are policed by the policy
    }

    @Override
    public String render(Reply reply, Connection connection, Instant now) {
        if (!(reply instanceof Reply.Pong)) return null; // the document defines no other server replies
        ObjectNode out = Json.object().put("message_type", "pong");
        out.putObject("data").put("timestamp", now.getEpochSecond());
        out.put("timestamp", Timestamps.seconds(now));
        return Frames.write(out);
    }

    @Override
    public String renderEvent(Publication p, String topic, Instant now) {
        ObjectNode out = Json.object().put("message_type", p.type());
        out.set("data", p.data());
        out.put("timestamp", Timestamps.seconds(now));
        return Frames.write(out);
    }

    @Override
    public boolean closeOnAuthFailure() {
        return true;
    }

    /** Herald itself announces {@code user_joined}: everyone reads presence, so never the email. */
    @Override
    public List<Effect> authenticated(Connection c, Identity id, ProfileContext ctx, Instant now) {
        ObjectNode data = Json.object().put("user_id", id.userId()).put("username", id.displayName())
                .put("joined_at", Timestamps.seconds(now));
        return List.of(new Effect.Publish(new Publication(null, "user_joined", List.of(presenceTopic(id.userId())), data, null)));
    }

    @Override
    public List<Effect> disconnected(Connection c, ProfileContext ctx, Instant now) {
        if (!c.authenticated()) return List.of();
        ObjectNode data = Json.object().put("user_id", c.userId()).put("left_at", Timestamps.seconds(now));
        return List.of(new Effect.Publish(new Publication(null, "user_left", List.of(presenceTopic(c.userId())), data, null)));
    }

    private static String presenceTopic(String userId) {
        return "presence." + Topic.segment(userId);
    }
}
