package io.herald.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Accessors for API Gateway's WebSocket proxy event (CONNECT, MESSAGE, DISCONNECT). */
record WebSocketEvent(JsonNode event) {
    JsonNode context() {
        return event.path("requestContext");
    }

    String connectionId() {
        return Json.text(context(), "connectionId");
    }

    String sourceIp() {
        return Json.text(context().path("identity"), "sourceIp");
    }

    String userAgent() {
        return Json.text(context().path("identity"), "userAgent");
    }

    Map<String, String> query() {
        return strings(event.path("queryStringParameters"), false);
    }

    /** Header names lower-cased: HTTP headers are case-insensitive and clients vary. */
    Map<String, String> headers() {
        return strings(event.path("headers"), true);
    }

    String body() {
        return JsonStreamHandler.body(event);
    }

    private static Map<String, String> strings(JsonNode obj, boolean lowerKeys) {
        Map<String, String> out = new HashMap<>();
        if (obj.isObject()) {
            obj.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual()) {
                    out.put(lowerKeys ? f.getKey().toLowerCase(Locale.ROOT) : f.getKey(), f.getValue().asText());
                }
            });
        }
        return out;
    }
}
