package io.herald.local.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.util.Map;

/**
 * EventBridge event pattern matching (also Lambda's event filtering): every field in the pattern
 * must match; a leaf is a list of alternatives, each a literal or one of {@code prefix},
 * {@code anything-but} (value, list or prefix), {@code exists}.
 */
public final class EventPattern {
    private final JsonNode pattern;

    private EventPattern(JsonNode pattern) {
        this.pattern = pattern;
    }

    public static EventPattern of(Map<String, Object> pattern) {
        return new EventPattern(Json.MAPPER.valueToTree(pattern));
    }

    public static EventPattern parse(String json) {
        return new EventPattern(Json.parse(json));
    }

    public boolean matches(JsonNode event) {
        return matchObject(pattern, event);
    }

    private static boolean matchObject(JsonNode p, JsonNode e) {
        for (var it = p.fields(); it.hasNext(); ) {
            var f = it.next();
            JsonNode value = e == null ? null : e.get(f.getKey());
            if (f.getValue().isObject()) {
                if (!matchObject(f.getValue(), value)) return false;
            } else if (!matchLeaf(f.getValue(), value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchLeaf(JsonNode alternatives, JsonNode value) {
        for (JsonNode alt : alternatives.isArray() ? alternatives : Json.array().add(alternatives)) {
            if (alt.isObject() && alt.has("exists")) {
                if (alt.get("exists").asBoolean() == (value != null && !value.isNull())) return true;
                continue;
            }
            if (value == null) continue;
            for (JsonNode v : value.isArray() ? value : Json.array().add(value)) {
                if (matchOne(alt, v)) return true;
            }
        }
        return false;
    }

    private static boolean matchOne(JsonNode alt, JsonNode v) {
        if (!alt.isObject()) return alt.equals(v) || (alt.isTextual() && v.isTextual() && alt.asText().equals(v.asText()));
        if (alt.has("prefix")) return v.isTextual() && v.asText().startsWith(alt.get("prefix").asText());
        if (alt.has("anything-but")) {
            JsonNode but = alt.get("anything-but");
            if (but.isObject() && but.has("prefix")) return !(v.isTextual() && v.asText().startsWith(but.get("prefix").asText()));
            for (JsonNode b : but.isArray() ? but : Json.array().add(but)) if (matchOne(b, v)) return false;
            return true;
        }
        return false;
    }
}
