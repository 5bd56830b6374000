package io.herald.core.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.config.Settings;
import io.herald.core.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentProtectionTest {
    static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    static MessageCheck.Draft text(String content, ObjectNode metadata) {
        return new MessageCheck.Draft("c", "u", "text", content, metadata);
    }

    @Test
    void check_should_mask_by_default_and_keep_clean_messages_as_they_are() {
        MessageCheck.Draft clean = text("see you at 8", Json.object());
        assertSame(clean, ContentProtection.DEFAULTS.check(clean, NOW));
        assertEquals("mail [email]", ContentProtection.DEFAULTS.check(text("mail me@x.io", Json.object()), NOW).content());
    }

    @Test
    void check_should_reject_or_ignore_personal_data_as_configured() {
        ContentProtection reject = new ContentProtection(ContentProtection.Mode.REJECT, List.of(), ContentProtection.Mode.MASK);
        ChatException e = assertThrows(ChatException.class, () -> reject.check(text("call +49 30 1234567", Json.object()), NOW));
        assertEquals(ChatException.VALIDATION_ERROR, e.code());
        assertEquals("content", e.field());
        ContentProtection off = new ContentProtection(ContentProtection.Mode.OFF, List.of(), ContentProtection.Mode.MASK);
        assertEquals("call +49 30 1234567", off.check(text("call +49 30 1234567", Json.object()), NOW).content());
    }

    @Test
    void check_should_mask_or_reject_blocked_words_whole_and_in_any_case() {
        ContentProtection mask = new ContentProtection(ContentProtection.Mode.MASK, ContentProtection.parse("darn, /fr[o0]b+/\n# a comment line\n"),
                ContentProtection.Mode.MASK);
        assertEquals("**** it, ****** and darning", mask.check(text("DARN it, fr0bbb and darning", Json.object()), NOW).content());
        ContentProtection reject = new ContentProtection(ContentProtection.Mode.MASK, ContentProtection.parse("darn"), ContentProtection.Mode.REJECT);
        assertEquals(ChatException.VALIDATION_ERROR, assertThrows(ChatException.class, () -> reject.check(text("Darn!", Json.object()), NOW)).code());
    }

    @Test
    void check_should_pass_encrypted_messages_and_other_types_untouched() {
        ContentProtection strict = new ContentProtection(ContentProtection.Mode.REJECT, ContentProtection.parse("secret"), ContentProtection.Mode.REJECT);
        MessageCheck.Draft sealed = text("secret me@x.io", Json.object().put("encrypted", true));
        assertSame(sealed, strict.check(sealed, NOW));
        // only a JSON true counts
        assertThrows(ChatException.class, () -> strict.check(text("secret", Json.object().put("encrypted", "true")), NOW));
        MessageCheck.Draft gift = new MessageCheck.Draft("c", "u", "gift", "secret me@x.io", Json.object().put("gift_id", "g"));
        assertSame(gift, strict.check(gift, NOW));
    }

    @Test
    void from_should_refuse_unknown_modes_and_bad_patterns_by_name() {
        assertEquals("HERALD_CHAT_PII must be mask, reject or off, got 'hide'", assertThrows(IllegalArgumentException.class,
                () -> ContentProtection.from(new Settings(Map.of("HERALD_CHAT_PII", "hide")), null)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ContentProtection.from(new Settings(Map.of("HERALD_CHAT_BLOCKED_ACTION", "off")), null));
        assertThrows(IllegalArgumentException.class, () -> ContentProtection.parse("/(unclosed/"));
        assertEquals(ContentProtection.Mode.REJECT, ContentProtection.from(new Settings(Map.of("HERALD_CHAT_PII", "Reject")), "").personalData());
    }
}
