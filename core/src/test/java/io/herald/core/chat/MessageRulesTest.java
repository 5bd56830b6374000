package io.herald.core.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What each message type needs; every refusal names its field. */
class MessageRulesTest {
    final MessageRules rules = new MessageRules();

    MessageCheck.Draft draft(String type, String content, ObjectNode metadata) {
        return new MessageCheck.Draft("c", "u", type, content, metadata);
    }

    String refusedField(String type, String content, ObjectNode metadata, String code) {
        ChatException e = assertThrows(ChatException.class, () -> rules.check(draft(type, content, metadata), Instant.now()));
        assertEquals(code, e.code());
        return e.field();
    }

    @Test
    void text_should_be_one_to_two_thousand_characters() {
        rules.check(draft("text", "x".repeat(2000), Json.object()), Instant.now());
        rules.check(draft("text", "😀".repeat(2000), Json.object()), Instant.now()); // characters, not UTF-16 units
        assertEquals("content", refusedField("text", "x".repeat(2001), Json.object(), ChatException.VALIDATION_ERROR));
        assertEquals("content", refusedField("text", " ", Json.object(), ChatException.VALIDATION_ERROR));
        assertEquals("content", refusedField("text", null, Json.object(), ChatException.VALIDATION_ERROR));
    }

    @Test
    void photos_should_carry_an_https_url() {
        rules.check(draft("photo_ephemeral", "https://cdn.example.com/a.jpg", Json.object()), Instant.now());
        assertEquals("content", refusedField("photo", "http://cdn.example.com/a.jpg", Json.object(), ChatException.VALIDATION_ERROR));
        assertEquals("content", refusedField("photo", "https:///nohost", Json.object(), ChatException.VALIDATION_ERROR));
        assertEquals("content", refusedField("photo", "javascript:alert(1)", Json.object(), ChatException.VALIDATION_ERROR));
    }

    @Test
    void locations_should_have_coordinates_in_range() {
        rules.check(draft("location", null, Json.object().put("latitude", -90).put("longitude", 180)), Instant.now());
        assertEquals("metadata.latitude", refusedField("location", null, Json.object().put("longitude", 1), ChatException.VALIDATION_ERROR));
        assertEquals("metadata.latitude", refusedField("location", null, Json.object().put("latitude", 91).put("longitude", 1),
                ChatException.VALIDATION_ERROR));
        assertEquals("metadata.longitude", refusedField("location", null, Json.object().put("latitude", 1).put("longitude", "13"),
                ChatException.VALIDATION_ERROR));
    }

    @Test
    void gifts_should_name_the_gift_and_system_and_unknown_types_are_refused() {
        rules.check(draft("gift", null, Json.object().put("gift_id", "rose")), Instant.now());
        assertEquals("metadata.gift_id", refusedField("gift", "a rose", Json.object(), ChatException.VALIDATION_ERROR));
        assertEquals("type", refusedField("system", "hi", Json.object(), ChatException.FORBIDDEN));
        assertEquals("type", refusedField("video", "hi", Json.object(), ChatException.INVALID_MESSAGE_TYPE));
    }
}
