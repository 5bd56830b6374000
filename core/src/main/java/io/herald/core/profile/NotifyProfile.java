package io.herald.core.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
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

/**
 * The marketplace notifications API (seed 003): {@code {type, data}}, token at connect, each
 * connection receives its own user's notifications, one connection per user.
 */
public final class NotifyProfile implements Profile {
    public static final String NAME = "notify";

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
        return List.of(SubscriptionSpec.of(TopicPattern.parse("users." + Topic.segment(identity.userId()))));
    }

    @Override
    public Map<String, String> connectAttributes(Map<String, String> query, Identity identity) {
        return identity.email() == null ? Map.of() : Map.of("email", identity.email());
    }

    @Override
    public String welcome(Connection c, Instant now) {
        ObjectNode out = Json.object().put("type", "connected");
        ObjectNode data = out.putObject("data");
        Frames.putId(data, "user_id", c.userId());
        data.put("email", c.attribute("email"));
        data.put("message", "Connected to notifications");
        return Frames.write(out);
    }

    @Override
    public Command decode(String frame) {
        ObjectNode m = Frames.object(frame);
        if (m == null) return Command.Invalid.of("invalid JSON");
        String type = Json.text(m, "type");
        if ("ping".equals(type)) return new Command.Ping();
        return Command.Invalid.of(type == null ? "missing type" : "unknown message type: " + type);
    }

    @Override
    public boolean requiresAuth(Command c) {
        return false;
    }

    @Override
    public String render(Reply reply, Connection connection, Instant now) {
        ObjectNode out = Json.object();
        if (reply instanceof Reply.Pong) {
            out.put("type", "pong").putObject("data").put("status", "ok");
        } else if (reply instanceof Reply.Error e) {
            out.put("type", "error").putObject("data").put("message", e.message());
        } else {
            return null;
        }
        return Frames.write(out);
    }

    @Override
    public String renderEvent(Publication p, String topic, Instant now) {
        if (!topic.startsWith("users.")) return null; // only the user's own feed becomes notifications
        ObjectNode d = p.data();
        ObjectNode data = Json.object();
        JsonNode id = d.get("id");
        if (id != null && !id.isNull()) data.set("id", id);
        else if (p.id() != null) Frames.putId(data, "id", p.id());
        else data.putNull("id");
        data.set("title", d.path("title").isMissingNode() ? NullNode.getInstance() : d.get("title"));
        data.set("message", d.path("message").isMissingNode() ? NullNode.getInstance() : d.get("message"));
        String type = Json.text(d, "notification_type");
        data.put("notification_type", type != null ? type : p.type());
        data.set("link", d.path("link").isMissingNode() ? NullNode.getInstance() : d.get("link"));
        String ts = Json.text(d, "timestamp");
        data.put("timestamp", ts != null ? ts : Timestamps.seconds(now));
        ObjectNode out = Json.object().put("type", "notification");
        out.set("data", data);
        return Frames.write(out);
    }

    @Override
    public boolean singleConnectionPerUser() {
        return true;
    }
}
