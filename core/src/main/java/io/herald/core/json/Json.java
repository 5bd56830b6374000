package io.herald.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The one ObjectMapper (built once per container: it is costly to create) and tree helpers. */
public final class Json {
    /**
     * Numbers pass through as written: decimals stay BigDecimal, trailing zeros and plain
     * notation kept ({@code "amount": 50.00} must not become {@code 5E+1}).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .nodeFactory(new BoundedNumbers())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private Json() {}

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** Parses text; throws {@link MalformedJsonException} with the parser's reason. */
    public static JsonNode parse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) throw new MalformedJsonException("empty message");
            return n;
        } catch (JsonProcessingException e) {
            throw new MalformedJsonException(e.getOriginalMessage());
        }
    }

    public static JsonNode parse(InputStream in) {
        try {
            JsonNode n = MAPPER.readTree(in);
            if (n == null || n.isMissingNode()) throw new MalformedJsonException("empty input");
            return n;
        } catch (JsonProcessingException e) {
            throw new MalformedJsonException(e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * As {@link #write}, with every character XML 1.0 does not allow (U+FFFE, U+FFFF, a lone
     * surrogate; Jackson escapes the control characters already) written as a {@code \\u} escape:
     * text a queue that keeps XML characters only (SQS) accepts, and that reads back as the same
     * value. Other characters stay as they are, so sizes computed in UTF-8 bytes stay true.
     */
    public static String writeXmlSafe(JsonNode node) {
        return xmlSafe(write(node));
    }

    /**
     * Escapes the characters XML 1.0 forbids in JSON text. Outside strings JSON text is ASCII, and
     * inside a string a character and its {@code \\u} escape mean the same, so the value is kept.
     */
    static String xmlSafe(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                if (out != null) out.append(c).append(json.charAt(i + 1));
                i++; // a pair: U+10000 to U+10FFFF, allowed
                continue;
            }
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (allowed) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(json.length() + 16).append(json, 0, i);
            out.append(String.format("\\u%04X", (int) c));
        }
        return out == null ? json : out.toString();
    }

    /** Text of a field when it is a string, else null. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** Text of a scalar field (string or number), else null: ids arrive both ways. */
    public static String scalar(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !(v.isTextual() || v.isIntegralNumber())) return null;
        return v.asText();
    }

    /**
     * Refuses decimals outside a double's range ({@code 1e99999}) while reading: every client
     * (JavaScript's included) reads JSON numbers as doubles, and such a number could not even be
     * written back in the plain notation Herald keeps (Jackson refuses a scale beyond 9,999), so it
     * would fail deep inside a fan-out instead of at the door. The largest one allowed
     * ({@code 1.8e308}) writes as 309 digits.
     */
    static final class BoundedNumbers extends JsonNodeFactory {
        /** Powers of ten a double reaches: about 4.9e-324 to 1.8e308. */
        static final int MAX_EXPONENT = 308;
        static final int MIN_EXPONENT = -324;

        BoundedNumbers() {
            super(false);
        }

        @Override
        public ValueNode numberNode(BigDecimal v) {
            if (v != null) {
                // the power of ten of the leading digit; a zero's is its exponent as written (0e99999)
                long exponent = v.signum() == 0 ? -(long) v.scale() : (long) v.precision() - v.scale() - 1;
                if (exponent > MAX_EXPONENT || exponent < MIN_EXPONENT) {
                    throw new MalformedJsonException("a number is outside the range of a double (about 1e-324 to 1.8e308)");
                }
            }
            return super.numberNode(v);
        }
    }

    /** Thrown for input that is not JSON. */
    public static final class MalformedJsonException extends RuntimeException {
        public MalformedJsonException(String reason) {
            super(reason);
        }
    }
}
