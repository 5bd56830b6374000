package io.herald.core.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.herald.core.json.Json;
import io.herald.core.json.Timestamps;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.Topic;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.List;

/** The generic topic pub/sub API (seed 004): {@code {type, topic, data, ...}}. */
public final class TopicsProfile implements Profile {
    public static final String NAME = "topics";

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
        if (m == null) return Command.Invalid.of("Invalid message format");
        JsonNode type = m.get("type");
        if (type == null || !type.isTextual()) return Command.Invalid.field("Invalid message format", "type", "required");
        return switch (type.asText()) {
            case "auth" -> {
                String token = Json.text(m, "token");
                yield token == null || token.isBlank()
                        ? Command.Invalid.field("Invalid message format", "token", "required")
                        : new Command.Auth(token);
            }
            case "subscribe", "unsubscribe" -> {
                JsonNode topic = m.get("topic");
                if (topic == null || !topic.isTextual()) yield Command.Invalid.field("Invalid message format", "topic", "required");
                TopicPattern p;
                try {
                    p = TopicPattern.parse(topic.asText());
                } catch (IllegalArgumentException e) {
                    yield Command.Invalid.field("Invalid topic: " + e.getMessage(), "topic", "invalid");
                }
                TextNode echo = TextNode.valueOf(topic.asText());
                yield type.asText().equals("subscribe")
                        ? new Command.Subscribe(List.of(SubscriptionSpec.of(p)), false, echo)
                        : new Command.Unsubscribe(p, echo);
            }
            case "message" -> decodePublish(m);
            case "ping" -> new Command.Ping();
            default -> Command.Invalid.field("Unknown message type: " + type.asText(), "type", "unknown");
        };
    }

    private static Command decodePublish(ObjectNode m) {
        JsonNode topic = m.get("topic");
        if (topic == null || !topic.isTextual()) return Command.Invalid.field("Invalid message format", "topic", "required");
        String problem = Topic.problem(topic.asText());
        if (problem != null) return Command.Invalid.field("Invalid topic: " + problem, "topic", "invalid");
        JsonNode data = m.get("data");
        if (data != null && !data.isNull() && !data.isObject()) {
            return Command.Invalid.field("Invalid message format", "data", "must be an object");
        }
        JsonNode meta = m.get("metadata");
        if (meta != null && !meta.isNull() && !meta.isObject()) {
            return Command.Invalid.field("Invalid message format", "metadata", "must be an object");
        }
        JsonNode eventType = m.get("eventType");
        String type = eventType != null && eventType.isTextual() && !eventType.asText().isBlank() ? eventType.asText() : "message";
        return new Command.Publish(topic.asText(), type,
                data instanceof ObjectNode o ? o : Json.object(), meta instanceof ObjectNode o ? o : null);
    }

    @Override
    public boolean requiresAuth(Command c) {
        return c instanceof Command.Subscribe || c instanceof Command.Unsubscribe || c instanceof Command.Publish;
    }

    @Override
    public String render(Reply reply, Connection connection, Instant now) {
        ObjectNode out = Json.object();
        if (reply instanceof Reply.AuthSucceeded a) {
            out.put("type", "auth_success").put("userId", a.identity().userId());
        } else if (reply instanceof Reply.AuthFailed f) {
            out.put("type", "auth_error").put("message", f.message()).put("code", 401);
        } else if (reply instanceof Reply.Subscribed s) {
            out.put("type", "subscribed").set("topic", s.echo());
        } else if (reply instanceof Reply.Unsubscribed u) {
            out.put("type", "unsubscribed").set("topic", u.echo());
        } else if (reply instanceof Reply.Pong) {
            out.put("type", "pong");
        } else if (reply instanceof Reply.Error e) {
            out.put("type", "error").put("code", e.code()).put("message", e.message());
            if (e.field() != null) out.putObject("details").put("field", e.field()).put("issue", e.issue());
        } else {
            return null; // stats are not part of this protocol
        }
        out.put("timestamp", Timestamps.millis(now));
        return Frames.write(out);
    }

    @Override
    public String renderEvent(Publication p, String topic, Instant now) {
        ObjectNode out = Json.object();
        out.put("type", "message").put("topic", topic).put("eventType", p.type());
        out.set("data", p.data());
        out.set("metadata", p.metadata() == null ? Json.object() : p.metadata());
        out.put("timestamp", Timestamps.millis(now));
        return Frames.write(out);
    }

    /** Receivers learn who sent a client's message. */
    @Override
    public ObjectNode publicationMetadata(Connection c, ObjectNode clientMetadata) {
        ObjectNode metadata = clientMetadata == null ? Json.object() : clientMetadata.deepCopy();
        return metadata.put("senderId", c.userId()).put("senderConnectionId", c.id());
    }
}
