package io.herald.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Queue bodies Herald writes hold only characters SQS takes (XML 1.0's), and read back as written. */
class JsonXmlSafeTest {
    /** SQS's rule, as its SendMessage reference states it: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
    static String firstRefused(String body) {
        for (int i = 0; i < body.length(); ) {
            int cp = body.codePointAt(i);
            boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
                    || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!ok) return String.format("U+%04X at %d", cp, i);
            i += Character.charCount(cp);
        }
        return null;
    }

    @Test
    void characters_sqs_refuses_should_be_escaped_and_read_back_the_same() {
        ObjectNode data = Json.object().put("x", "\uFFFF").put("y", "a\uFFFEb").put("high", "\uD800").put("low", "z\uDC00")
                .put("reversed", "\uDC00\uD800").put("slash", "\\\uFFFF").put("ctl", "\u0001\u001F\t\n\r").put("\uFFFF", "name");
        String body = Json.writeXmlSafe(data);
        assertNull(firstRefused(body), body);
        assertEquals(data, Json.parse(body));
        assertTrue(body.contains("\\uFFFF") && body.contains("\\uD800") && body.contains("\\uDC00\\uD800"), body);
        assertNull(firstRefused(Json.write(Json.object().put("ctl", "\u0000\u0008\u000B"))), "Jackson escapes controls itself");
    }

    /** The 256 KB arithmetic counts UTF-8 bytes of what is written: only the refused characters may grow. */
    @Test
    void characters_sqs_takes_should_stay_as_written() {
        ObjectNode data = Json.object().put("text", "héllo ✓ 漢字 😀 \uFFFD \uE000 \uD7FF \u007F");
        String written = Json.write(data);
        assertEquals(written, Json.writeXmlSafe(data));
        assertTrue(Json.writeXmlSafe(data).contains("😀"), "a surrogate pair is one allowed character, not two escapes");
        // one U+FFFF: three UTF-8 bytes become the six of its escape
        String one = Json.writeXmlSafe(Json.object().put("x", "\uFFFF"));
        assertEquals(Json.write(Json.object().put("x", "")).length() + 6, one.length());
    }
}
