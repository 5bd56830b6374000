package io.herald.core.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;

/** Small helpers the profile codecs share. */
final class Frames {
    private Frames() {}

    /** Parses a frame that must be a JSON object; returns null when it is not. */
    static ObjectNode object(String frame) {
        try {
            JsonNode n = Json.parse(frame);
            return n instanceof ObjectNode o ? o : null;
        } catch (Json.MalformedJsonException e) {
            return null;
        }
    }

    /** A numeric-looking id becomes a JSON number (documents show {@code eventId: 123}, {@code user_id: 1}). */
    static void putId(ObjectNode target, String field, String value) {
        if (value == null) return;
        if (value.matches("-?[0-9]{1,18}")) target.put(field, Long.parseLong(value));
        else target.put(field, value);
    }

    static String write(ObjectNode n) {
        return Json.write(n);
    }
}
