package io.herald.dynamodb.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes JSON as UTF-8 into a growing buffer: what the engine's answers and its journal need, and
 * nothing else (no pretty printing, no configuration). Commas are placed by the writer: after
 * {@code start*}, {@link #name} or a value it knows whether the next value needs one. Strings
 * escape '"', '\' and control characters as Jackson does; a lone surrogate, which UTF-8 cannot
 * carry, is written as its \\u escape so it reads back as it was.
 */
public final class JsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    private byte[] buf;
    private int len;
    private boolean first = true; // no comma before the next value

    public JsonWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    public JsonWriter startObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter startArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    private JsonWriter open(char bracket) {
        separate();
        put(bracket);
        first = true;
        return this;
    }

    private JsonWriter close(char bracket) {
        put(bracket);
        first = false;
        return this;
    }

    /** A field name; the next call writes its value. */
    public JsonWriter name(String name) {
        separate();
        quoted(name);
        put(':');
        first = true;
        return this;
    }

    public JsonWriter string(String s) {
        separate();
        quoted(s);
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).string(value);
    }

    public JsonWriter bool(boolean v) {
        return raw(v ? "true" : "false");
    }

    public JsonWriter nullValue() {
        return raw("null");
    }

    public JsonWriter number(long v) {
        return raw(Long.toString(v));
    }

    /** A number already in JSON's syntax (BigDecimal, BigInteger or double text). */
    public JsonWriter number(String jsonNumber) {
        return raw(jsonNumber);
    }

    public byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    private JsonWriter raw(String ascii) {
        separate();
        ensure(ascii.length());
        for (int k = 0; k < ascii.length(); k++) buf[len++] = (byte) ascii.charAt(k);
        return this;
    }

    private void separate() {
        if (!first) put(',');
        first = false;
    }

    private void quoted(String s) {
        int n = s.length();
        ensure(n + 2);
        buf[len++] = '"';
        for (int k = 0; k < n; k++) {
            char c = s.charAt(k);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                if (len == buf.length) ensure(1);
                buf[len++] = (byte) c;
            } else {
                k = special(s, k, c);
            }
        }
        put('"');
    }

    /** Writes char k (anything but plain printable ASCII); returns the index of the last char used. */
    private int special(String s, int k, char c) {
        ensure(12);
        switch (c) {
            case '"' -> twoBytes('\\', '"');
            case '\\' -> twoBytes('\\', '\\');
            case '\n' -> twoBytes('\\', 'n');
            case '\r' -> twoBytes('\\', 'r');
            case '\t' -> twoBytes('\\', 't');
            case '\b' -> twoBytes('\\', 'b');
            case '\f' -> twoBytes('\\', 'f');
            default -> {
                if (c < 0x20) {
                    unicodeEscape(c);
                } else if (c < 0x800) {
                    buf[len++] = (byte) (0xc0 | c >> 6);
                    buf[len++] = (byte) (0x80 | c & 0x3f);
                } else if (!Character.isSurrogate(c)) {
                    buf[len++] = (byte) (0xe0 | c >> 12);
                    buf[len++] = (byte) (0x80 | c >> 6 & 0x3f);
                    buf[len++] = (byte) (0x80 | c & 0x3f);
                } else if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(k + 1));
                    buf[len++] = (byte) (0xf0 | cp >> 18);
                    buf[len++] = (byte) (0x80 | cp >> 12 & 0x3f);
                    buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
                    buf[len++] = (byte) (0x80 | cp & 0x3f);
                    return k + 1;
                } else {
                    unicodeEscape(c);
                }
            }
        }
        return k;
    }

    private void twoBytes(char a, char b) {
        buf[len++] = (byte) a;
        buf[len++] = (byte) b;
    }

    private void unicodeEscape(char c) {
        buf[len++] = '\\';
        buf[len++] = 'u';
        buf[len++] = HEX[c >> 12 & 0xf];
        buf[len++] = HEX[c >> 8 & 0xf];
        buf[len++] = HEX[c >> 4 & 0xf];
        buf[len++] = HEX[c & 0xf];
    }

    private void put(char c) {
        if (len == buf.length) ensure(1);
        buf[len++] = (byte) c;
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
}
