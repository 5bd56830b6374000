package io.herald.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.topic.Topic;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives topics for a publication that names none, from its type and data fields.
 *
 * <p>Routes are groups tried in order; the first group whose type glob matches the event type
 * is used alone (so {@code message.*} events go to the messages feeds and not also to
 * {@code users.*}). Within a group every template whose {@code {field}} placeholders all resolve
 * to scalar data values contributes a topic.
 */
public final class TopicRouter {
    public static final String DEFAULT_ROUTES = """
            [
              {"types": "message.*", "topics": ["messages", "messages.user.{userId}",
                  "messages.user.{recipientId}", "messages.channel.{channelId}"]},
              {"types": "system_*", "topics": ["system"]},
              {"types": "*", "topics": ["users.{user_id}", "users.{userId}", "raffles.{raffle_id}",
                  "items.{item_id}", "rooms.{room}", "events.{eventId}", "conversations.{conversation_id}"]}
            ]""";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)}");

    private final List<Group> groups;

    private TopicRouter(List<Group> groups) {
        this.groups = List.copyOf(groups);
    }

    public static TopicRouter defaults() {
        return parse(DEFAULT_ROUTES);
    }

    public static TopicRouter parse(String json) {
        JsonNode root = Json.parse(json);
        if (!root.isArray()) throw new IllegalArgumentException("routes must be a JSON array of groups");
        List<Group> groups = new ArrayList<>();
        for (JsonNode g : root) {
            String types = g.path("types").asText("*");
            List<String> templates = new ArrayList<>();
            g.path("topics").forEach(t -> templates.add(t.asText()));
            if (templates.isEmpty()) throw new IllegalArgumentException("route group without topics: " + g);
            groups.add(new Group(glob(types), templates));
        }
        return new TopicRouter(groups);
    }

    /** The derived topics, in template order, without duplicates; empty when nothing resolves. */
    public List<String> route(String type, ObjectNode data) {
        for (Group g : groups) {
            if (!g.types.matcher(type).matches()) continue;
            Set<String> out = new LinkedHashSet<>();
            for (String template : g.templates) {
                String topic = expand(template, data);
                if (topic != null && Topic.isValid(topic)) out.add(topic);
            }
            return List.copyOf(out);
        }
        return List.of();
    }

    private static String expand(String template, ObjectNode data) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            JsonNode v = data.get(m.group(1));
            if (v == null || v.isNull() || v.isContainerNode() || v.asText().isEmpty()) return null;
            m.appendReplacement(b, Matcher.quoteReplacement(Topic.segment(v.asText()))); // one segment, whatever it holds
        }
        m.appendTail(b);
        return b.toString();
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*') re.append(".*");
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString());
    }

    private record Group(Pattern types, List<String> templates) {}
}
