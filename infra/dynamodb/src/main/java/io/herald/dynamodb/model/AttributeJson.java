package io.herald.dynamodb.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.dynamodb.DynamoDbError;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB's JSON form of attribute values ({@code {"S": "x"}}, {@code {"N": "1"}}, ...), both
 * ways, with the checks and messages DynamoDB applies to a value it receives.
 */
public final class AttributeJson {
    private static final String INVALID = "One or more parameter values were invalid: ";

    private AttributeJson() {}

    /** Levels of nested maps and lists in a value (a scalar is 0). */
    public static int depth(AttributeValue v) {
        return switch (v.type()) {
            case M -> 1 + v.m().values().stream().mapToInt(AttributeJson::depth).max().orElse(0);
            case L -> 1 + v.l().stream().mapToInt(AttributeJson::depth).max().orElse(0);
            default -> 0;
        };
    }

    /** An item or key: a JSON object of attribute name to value. */
    public static Map<String, AttributeValue> item(JsonNode node) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) return out;
        if (!node.isObject()) throw serialization("Start of list found where not expected");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            checkName(e.getKey());
            out.put(e.getKey(), value(e.getValue()));
        }
        return out;
    }

    /** The longest attribute name DynamoDB takes, in UTF-8 bytes: 64 KB itself is refused. */
    public static final int MAX_NAME_BYTES = 65_535;

    /** Refuses an attribute name of 64 KB or more, wherever a request names an attribute. */
    public static void checkName(String name) {
        // at most 3 bytes per UTF-16 unit: short names (all real ones) skip the count
        if (name.length() > MAX_NAME_BYTES / 3 && ItemSize.utf8Length(name) > MAX_NAME_BYTES) {
            throw DynamoDbError.validation("Attribute name is too large, must be less than 65536 bytes");
        }
    }

    /** DynamoDB's limit on nested maps and lists. */
    public static final int MAX_DEPTH = 32;

    /** One value, validated as DynamoDB validates what a client sends. */
    public static AttributeValue value(JsonNode node) {
        return value(node, 0);
    }

    private static AttributeValue value(JsonNode node, int depth) {
        if (depth > MAX_DEPTH) throw DynamoDbError.validation("Nesting Levels have exceeded supported limits");
        if (node == null || !node.isObject()) throw serialization("Unexpected value type in payload");
        int fields = 0;
        String type = null;
        JsonNode v = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) continue;
            fields++;
            type = e.getKey();
            v = e.getValue();
        }
        if (fields == 0) throw DynamoDbError.validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        if (fields > 1) throw DynamoDbError.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        switch (type) {
            case "S":
                return AttributeValue.s(text(v));
            case "N":
                return AttributeValue.n(number(text(v)));
            case "B":
                return AttributeValue.b(binary(v));
            case "BOOL":
                if (!v.isBoolean()) throw serialization("Unexpected token received from parser");
                return AttributeValue.bool(v.booleanValue());
            case "NULL":
                if (!v.isBoolean()) throw serialization("Unexpected token received from parser");
                if (!v.booleanValue()) throw DynamoDbError.validation(INVALID + "Null attribute value types must have the value of true");
                return AttributeValue.NULL;
            case "SS": {
                List<String> members = new ArrayList<>();
                for (JsonNode m : array(v)) members.add(text(m));
                if (members.isEmpty()) throw DynamoDbError.validation(INVALID + "An string set  may not be empty");
                if (new HashSet<>(members).size() != members.size()) {
                    throw DynamoDbError.validation(INVALID + "Input collection " + listText(members) + " contains duplicates.");
                }
                return AttributeValue.ss(members);
            }
            case "NS": {
                List<BigDecimal> members = new ArrayList<>();
                for (JsonNode m : array(v)) members.add(number(text(m)));
                if (members.isEmpty()) throw DynamoDbError.validation(INVALID + "An number set  may not be empty");
                Set<BigDecimal> seen = new HashSet<>();
                for (BigDecimal m : members) {
                    if (!seen.add(m.signum() == 0 ? BigDecimal.ZERO : m.stripTrailingZeros())) {
                        throw DynamoDbError.validation(INVALID + "Input collection contains duplicates");
                    }
                }
                return AttributeValue.ns(members);
            }
            case "BS": {
                List<byte[]> members = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                for (JsonNode m : array(v)) {
                    members.add(binary(m));
                    texts.add(m.asText());
                }
                if (members.isEmpty()) throw DynamoDbError.validation(INVALID + "Binary sets should not be empty");
                Set<String> seen = new HashSet<>();
                for (byte[] m : members) {
                    if (!seen.add(Base64.getEncoder().encodeToString(m))) {
                        throw DynamoDbError.validation(INVALID + "Input collection " + listText(texts) + "of type BS contains duplicates.");
                    }
                }
                return AttributeValue.bs(members);
            }
            case "M": {
                if (!v.isObject()) throw serialization("Unexpected field type");
                Map<String, AttributeValue> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    m.put(e.getKey(), value(e.getValue(), depth + 1));
                }
                return AttributeValue.m(m);
            }
            case "L": {
                List<AttributeValue> l = new ArrayList<>();
                for (JsonNode m : array(v)) l.add(value(m, depth + 1));
                return AttributeValue.l(l);
            }
            default:
                throw serialization("Unknown AttributeValue type: " + type);
        }
    }

    private static String text(JsonNode v) {
        if (v.isTextual()) return v.textValue();
        if (v.isNumber()) throw serialization((v.isIntegralNumber() ? "NUMBER_VALUE" : "DECIMAL_VALUE") + " cannot be converted to String");
        if (v.isBoolean()) throw serialization((v.booleanValue() ? "TRUE_VALUE" : "FALSE_VALUE") + " cannot be converted to String");
        if (v.isArray()) throw serialization("Unrecognized collection type class java.lang.String");
        throw serialization("Start of structure or map found where not expected");
    }

    private static Iterable<JsonNode> array(JsonNode v) {
        if (!v.isArray()) throw serialization(v.isObject() ? "Start of structure or map found where not expected" : "Unexpected field type");
        return v;
    }

    private static BigDecimal number(String text) {
        try {
            return Numbers.parse(text);
        } catch (NumberFormatException e) {
            throw DynamoDbError.validation(e.getMessage());
        }
    }

    private static byte[] binary(JsonNode v) {
        if (!v.isTextual()) throw serialization("only base-64-encoded strings are convertible to bytes");
        try {
            return Base64.getDecoder().decode(v.textValue());
        } catch (IllegalArgumentException e) {
            throw serialization("Invalid last non-pad Base64 character dectected");
        }
    }

    private static String listText(List<String> members) {
        return "[" + String.join(", ", members) + "]";
    }

    private static DynamoDbError serialization(String message) {
        return new DynamoDbError("SerializationException", message);
    }

    /** An item as a JSON tree. */
    public static com.fasterxml.jackson.databind.node.ObjectNode node(Map<String, AttributeValue> item) {
        var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        item.forEach((k, x) -> o.set(k, node(x)));
        return o;
    }

    /** A value as a JSON tree. */
    public static com.fasterxml.jackson.databind.node.ObjectNode node(AttributeValue v) {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        var o = f.objectNode();
        switch (v.type()) {
            case S -> o.put("S", v.s());
            case N -> o.put("N", v.nText());
            case B -> o.put("B", Base64.getEncoder().encodeToString(v.b()));
            case BOOL -> o.put("BOOL", v.bool());
            case NULL -> o.put("NULL", true);
            case SS -> v.ss().forEach(o.putArray("SS")::add);
            case NS -> {
                var a = o.putArray("NS");
                v.ns().forEach(n -> a.add(Numbers.text(n)));
            }
            case BS -> {
                var a = o.putArray("BS");
                v.bs().forEach(b -> a.add(Base64.getEncoder().encodeToString(b)));
            }
            case M -> o.set("M", node(v.m()));
            case L -> {
                var a = o.putArray("L");
                v.l().forEach(x -> a.add(node(x)));
            }
        }
        return o;
    }

    /** An item as DynamoDB's JSON, straight to a writer (the journal's records). */
    public static void writeItem(JsonWriter w, Map<String, AttributeValue> item) {
        w.startObject();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) writeValue(w.name(e.getKey()), e.getValue());
        w.endObject();
    }

    public static void writeValue(JsonWriter w, AttributeValue v) {
        w.startObject();
        switch (v.type()) {
            case S -> w.field("S", v.s());
            case N -> w.field("N", v.nText());
            case B -> w.field("B", Base64.getEncoder().encodeToString(v.b()));
            case BOOL -> w.name("BOOL").bool(v.bool());
            case NULL -> w.name("NULL").bool(true);
            case SS -> {
                w.name("SS").startArray();
                for (String s : v.ss()) w.string(s);
                w.endArray();
            }
            case NS -> {
                w.name("NS").startArray();
                for (BigDecimal n : v.ns()) w.string(Numbers.text(n));
                w.endArray();
            }
            case BS -> {
                w.name("BS").startArray();
                for (byte[] b : v.bs()) w.string(Base64.getEncoder().encodeToString(b));
                w.endArray();
            }
            case M -> writeItem(w.name("M"), v.m());
            case L -> {
                w.name("L").startArray();
                for (AttributeValue x : v.l()) writeValue(w, x);
                w.endArray();
            }
        }
        w.endObject();
    }
}
