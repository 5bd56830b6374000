package io.herald.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.core.topic.Topic;
import io.herald.core.topic.TopicPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Topic authorization as configuration: an ordered list of rules, first match wins.
 *
 * <p>A rule's topic has literal segments, {@code *} (any one segment) and at most one
 * placeholder, {@code {owner}} or {@code {members}}, that binds the segment the access check
 * looks at. {@code "below": true} makes the rule cover deeper topics too.
 *
 * <p>Exact subscriptions are checked once, at subscribe time. Wildcard subscriptions cannot be
 * fully checked then ({@code **} covers every user's topic), so fan-out re-checks each
 * delivery of a wildcard match against the concrete topic: a filter never opens a private topic.
 */
public final class AccessPolicy {
    /** The default rules; DESIGN.md's conventions plus the topics document's examples. */
    public static final String DEFAULT_RULES = """
            [
              {"topic": "users.{owner}", "below": true, "read": "owner", "publish": "nobody"},
              {"topic": "conversations.{members}", "below": true, "read": "members", "publish": "members"},
              {"topic": "messages.user.{owner}", "below": true, "read": "anyone", "publish": "owner"},
              {"topic": "messages.channel.*", "read": "anyone", "publish": "authenticated"},
              {"topic": "*", "below": true, "read": "anyone", "publish": "nobody"}
            ]""";

    private final List<Rule> rules;
    private final Membership membership;

    private AccessPolicy(List<Rule> rules, Membership membership) {
        this.rules = List.copyOf(rules);
        this.membership = membership;
    }

    public static AccessPolicy defaults() {
        return parse(DEFAULT_RULES, Membership.NONE);
    }

    /** Parses the JSON rule list; throws IllegalArgumentException naming the bad rule. */
    public static AccessPolicy parse(String json, Membership membership) {
        JsonNode root = Json.parse(json);
        if (!root.isArray()) throw new IllegalArgumentException("policy must be a JSON array of rules");
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : root) {
            String topic = Json.text(r, "topic");
            if (topic == null) throw new IllegalArgumentException("policy rule without a topic: " + r);
            rules.add(new Rule(topic.split("\\.", -1), r.path("below").asBoolean(false),
                    Access.parse(r.path("read").asText("nobody")), Access.parse(r.path("publish").asText("nobody"))));
        }
        return new AccessPolicy(rules, membership);
    }

    public AccessPolicy withMembership(Membership m) {
        return new AccessPolicy(rules, m);
    }

    /** Whether {@code userId} (null: anonymous) may read the concrete topic. */
    public boolean canRead(String userId, String topic) {
        return check(userId, topic.split("\\.", -1), true);
    }

    public boolean canPublish(String userId, String topic) {
        return check(userId, topic.split("\\.", -1), false);
    }

    /**
     * Whether a subscription pattern may be stored. An exact pattern is a read check. A wildcard
     * pattern is refused only when a wildcard stands on a rule's owner/members segment
     * ({@code users.*}): such a pattern asks for other users' private topics by construction.
     */
    public boolean canSubscribe(String userId, TopicPattern pattern) {
        if (pattern.isExact()) return canRead(userId, pattern.text());
        String[] segs = pattern.text().split("\\.", -1);
        for (Rule r : rules) {
            Optional<Match> m = r.bind(segs);
            if (m.isEmpty()) continue;
            String bound = m.get().segment();
            if (bound != null && (bound.equals("*") || bound.equals("**"))) {
                return r.read == Access.ANYONE || (r.read == Access.AUTHENTICATED && userId != null);
            }
            return allows(r.read, userId, bound);
        }
        return false;
    }

    private boolean check(String userId, String[] topic, boolean read) {
        for (Rule r : rules) {
            Optional<Match> m = r.bind(topic);
            if (m.isPresent()) return allows(read ? r.read : r.publish, userId, m.get().segment());
        }
        return false;
    }

    private boolean allows(Access a, String userId, String bound) {
        return switch (a) {
            case ANYONE -> true;
            case AUTHENTICATED -> userId != null;
            case OWNER -> userId != null && Topic.segment(userId).equals(bound);
            case MEMBERS -> userId != null && bound != null && membership.isMember(userId, Topic.unescape(bound));
            case NOBODY -> false;
        };
    }

    /** A rule matched; {@code segment} is what stood on its placeholder (null when it has none). */
    private record Match(String segment) {}

    private record Rule(String[] segments, boolean below, Access read, Access publish) {
        /** The match, or empty when the rule does not apply to the topic. */
        Optional<Match> bind(String[] topic) {
            if (topic.length < segments.length || (!below && topic.length != segments.length)) return Optional.empty();
            String bound = null;
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.startsWith("{") && s.endsWith("}")) {
                    bound = topic[i];
                } else if (!s.equals("*") && !s.equals(topic[i])) {
                    return Optional.empty();
                }
            }
            return Optional.of(new Match(bound));
        }
    }
}
