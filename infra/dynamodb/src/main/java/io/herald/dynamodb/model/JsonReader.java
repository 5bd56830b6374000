package io.herald.dynamodb.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * A strict RFC 8259 reader from UTF-8 bytes to Jackson's tree nodes. It replaces Jackson's
 * streaming parser, whose factory, parsers and symbol tables are about seventy classes the JVM
 * loads and verifies before the engine's first answer (measured in docs/dynamodb-benchmark.md).
 * Limits as Jackson's defaults: 1,000 levels of nesting, numbers of at most 1,000 characters.
 * Refused, as by Jackson: leading zeros, a leading '+', NaN, comments, trailing commas, control
 * characters inside strings and malformed UTF-8. A repeated field name keeps its last value.
 */
final class JsonReader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    static final int MAX_DEPTH = 1000;
    static final int MAX_NUMBER_LENGTH = 1000;

    private final byte[] b;
    private int i;

    private JsonReader(byte[] b) {
        this.b = b;
    }

    /** One document; null when there is nothing but whitespace. */
    static JsonNode read(byte[] json) throws IOException {
        JsonReader r = new JsonReader(json);
        r.skipSpace();
        if (r.i == json.length) return null;
        JsonNode n = r.value(0);
        r.skipSpace();
        if (r.i != json.length) throw r.error("trailing content after the JSON document");
        return n;
    }

    private JsonNode value(int depth) throws IOException {
        switch (peek()) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                i++;
                return NODES.textNode(string());
            case 't':
                literal("true");
                return NODES.booleanNode(true);
            case 'f':
                literal("false");
                return NODES.booleanNode(false);
            case 'n':
                literal("null");
                return NODES.nullNode();
            default:
                return number();
        }
    }

    private ObjectNode object(int depth) throws IOException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        i++;
        ObjectNode o = NODES.objectNode();
        skipSpace();
        if (peek() == '}') {
            i++;
            return o;
        }
        while (true) {
            if (peek() != '"') throw error("expected a field name");
            i++;
            String name = string();
            skipSpace();
            if (peek() != ':') throw error("expected ':'");
            i++;
            skipSpace();
            o.set(name, value(depth));
            skipSpace();
            byte c = peek();
            i++;
            if (c == '}') return o;
            if (c != ',') throw error("expected ',' or '}'");
            skipSpace();
        }
    }

    private ArrayNode array(int depth) throws IOException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        i++;
        ArrayNode a = NODES.arrayNode();
        skipSpace();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            a.add(value(depth));
            skipSpace();
            byte c = peek();
            i++;
            if (c == ']') return a;
            if (c != ',') throw error("expected ',' or ']'");
            skipSpace();
        }
    }

    /** After the opening quote. Plain ASCII, the usual case, is copied in one step. */
    private String string() throws IOException {
        int start = i;
        while (i < b.length) {
            byte c = b[i];
            if (c == '"') {
                String s = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
                i++;
                return s;
            }
            if (c == '\\' || c < 0x20) break; // c < 0 too: a byte of a multi-byte UTF-8 sequence
            i++;
        }
        StringBuilder s = new StringBuilder(i - start + 16).append(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
        while (true) {
            int c = peek() & 0xff;
            if (c == '"') {
                i++;
                return s.toString();
            }
            if (c == '\\') {
                i++;
                escape(s);
            } else if (c < 0x20) {
                throw error("control character inside a string; it must be escaped");
            } else if (c < 0x80) {
                s.append((char) c);
                i++;
            } else {
                utf8(s, c);
            }
        }
    }

    private void escape(StringBuilder s) throws IOException {
        byte c = peek();
        i++;
        switch (c) {
            case '"' -> s.append('"');
            case '\\' -> s.append('\\');
            case '/' -> s.append('/');
            case 'b' -> s.append('\b');
            case 'f' -> s.append('\f');
            case 'n' -> s.append('\n');
            case 'r' -> s.append('\r');
            case 't' -> s.append('\t');
            case 'u' -> {
                if (i + 4 > b.length) throw error("unexpected end of input in a \\u escape");
                int v = 0;
                for (int k = 0; k < 4; k++) {
                    int d = Character.digit(b[i++], 16);
                    if (d < 0) throw error("a \\u escape needs four hex digits");
                    v = v << 4 | d;
                }
                s.append((char) v); // a lone surrogate is kept as Jackson keeps it
            }
            default -> throw error("unknown escape \\" + (char) (c & 0xff));
        }
    }

    /** One multi-byte UTF-8 sequence starting with lead byte {@code c}; shortest form only, no surrogates. */
    private void utf8(StringBuilder s, int c) throws IOException {
        int n;
        int cp;
        int min;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            throw error("invalid UTF-8 start byte 0x" + Integer.toHexString(c));
        }
        i++;
        for (int k = 0; k < n; k++) {
            int x = peek() & 0xff;
            if ((x & 0xc0) != 0x80) throw error("invalid UTF-8 continuation byte 0x" + Integer.toHexString(x));
            cp = cp << 6 | (x & 0x3f);
            i++;
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw error("invalid UTF-8 sequence");
        s.appendCodePoint(cp);
    }

    private JsonNode number() throws IOException {
        int start = i;
        boolean integral = true;
        if (i < b.length && b[i] == '-') i++;
        if (i < b.length && b[i] == '0') {
            i++;
            if (i < b.length && isDigit(b[i])) throw error("leading zeros are not allowed in a number");
        } else if (digits() == 0) {
            throw start == i ? error("unexpected character '" + (char) (b[i] & 0xff) + "'") : error("a number needs digits");
        }
        if (i < b.length && b[i] == '.') {
            integral = false;
            i++;
            if (digits() == 0) throw error("a number needs digits after its decimal point");
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            integral = false;
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) i++;
            if (digits() == 0) throw error("a number needs digits in its exponent");
        }
        int len = i - start;
        if (len > MAX_NUMBER_LENGTH) throw error("number longer than " + MAX_NUMBER_LENGTH + " characters");
        String text = new String(b, start, len, StandardCharsets.ISO_8859_1);
        if (!integral) return NODES.numberNode(new BigDecimal(text));
        if (len <= 18) return integer(Long.parseLong(text));
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? integer(big.longValue()) : NODES.numberNode(big);
    }

    /** Int or long nodes by range, as Jackson's ObjectMapper makes them. */
    private static JsonNode integer(long v) {
        return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
    }

    private int digits() {
        int start = i;
        while (i < b.length && isDigit(b[i])) i++;
        return i - start;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws IOException {
        for (int k = 0; k < word.length(); k++) {
            if (i >= b.length || b[i] != word.charAt(k)) throw error("unexpected token; expected " + word);
            i++;
        }
    }

    private void skipSpace() {
        while (i < b.length) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            i++;
        }
    }

    private byte peek() throws IOException {
        if (i >= b.length) throw error("unexpected end of input");
        return b[i];
    }

    private IOException error(String what) {
        return new IOException(what + " at byte " + i);
    }
}
