package io.herald.core.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.json.Timestamps;
import java.time.Instant;

/** The chat document's frames: {@code {event, data, timestamp}}, times as ISO-8601 UTC seconds. */
public final class ChatFrames {
    private ChatFrames() {}

    public static String frame(String event, ObjectNode data, Instant now) {
        ObjectNode out = Json.object().put("event", event);
        out.set("data", data);
        out.put("timestamp", Timestamps.seconds(now));
        return Json.write(out);
    }

    public static String time(Instant t) {
        return Timestamps.seconds(t);
    }

    /** {@code error {code, message, details?, request_event}}; request_event is null when the frame had none. */
    public static String error(String code, String message, String field, String issue, String requestEvent, Instant now) {
        return error(code, message, field == null ? null : Json.object().put("field", field).put("error", issue), requestEvent, now);
    }

    /** With any {@code details} object (null: none). */
    public static String error(String code, String message, ObjectNode details, String requestEvent, Instant now) {
        ObjectNode d = Json.object().put("code", code).put("message", message);
        if (details != null) d.set("details", details);
        d.put("request_event", bounded(requestEvent));
        return frame("error", d, now);
    }

    public static String error(ChatException e, String requestEvent, Instant now) {
        return error(e.code(), e.getMessage(), e.details(), requestEvent, now);
    }

    /** Client input echoed in an error, cut short: an error never carries a client's 32 KB back. */
    static String bounded(String clientText) {
        if (clientText == null || clientText.length() <= MAX_ECHO) return clientText;
        return clientText.substring(0, MAX_ECHO) + "…";
    }

    static final int MAX_ECHO = 64;

    /** A message as {@code message:new} and history show it. */
    public static ObjectNode message(ChatMessage m, boolean isRead) {
        ObjectNode o = Json.object().put("id", m.id()).put("conversation_id", m.conversationId()).put("sender_id", m.senderId())
                .put("content", m.content()).put("type", m.type()).put("created_at", time(m.createdAt()))
                .put("updated_at", time(m.updatedAt())).put("is_read", isRead);
        o.set("metadata", m.metadata() == null ? Json.object() : m.metadata());
        return o;
    }
}
