package io.herald.aws.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The images of a DynamoDB stream record both ways: the DynamoDB JSON a Lambda event carries
 * ({"S": "..."}, {"N": "1"}, {"B": "base64"}, ...) and the SDK's attribute values. The function
 * reads events one way; the local stack writes them the other, so both meet on one definition.
 * A value of a type neither side knows is an error, never silently a NULL.
 */
public final class StreamImages {
    private StreamImages() {}

    /** @throws IllegalArgumentException on a value that is not DynamoDB JSON of a known type */
    public static Map<String, AttributeValue> toItem(JsonNode image) {
        if (!image.isObject()) throw new IllegalArgumentException("a stream image is an object, got " + image);
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        image.fields().forEachRemaining(f -> out.put(f.getKey(), value(f.getKey(), f.getValue())));
        return out;
    }

    /** @throws IllegalArgumentException on an attribute value of a type DynamoDB JSON has no name for */
    public static ObjectNode toJson(Map<String, AttributeValue> item) {
        ObjectNode o = Json.object();
        if (item != null) item.forEach((k, v) -> o.set(k, json(k, v)));
        return o;
    }

    private static AttributeValue value(String name, JsonNode v) {
        if (!v.isObject() || v.size() != 1) throw unsupported(name, v);
        Map.Entry<String, JsonNode> typed = v.fields().next();
        JsonNode x = typed.getValue();
        return switch (typed.getKey()) {
            case "S" -> AttributeValue.fromS(x.asText());
            case "N" -> AttributeValue.fromN(x.asText());
            case "B" -> AttributeValue.fromB(bytes(x));
            case "BOOL" -> AttributeValue.fromBool(x.asBoolean());
            case "NULL" -> AttributeValue.fromNul(true);
            case "M" -> AttributeValue.fromM(toItem(x));
            case "L" -> {
                List<AttributeValue> l = new ArrayList<>();
                x.forEach(e -> l.add(value(name, e)));
                yield AttributeValue.fromL(l);
            }
            case "SS" -> AttributeValue.fromSs(strings(x));
            case "NS" -> AttributeValue.fromNs(strings(x));
            case "BS" -> {
                List<SdkBytes> l = new ArrayList<>();
                x.forEach(e -> l.add(bytes(e)));
                yield AttributeValue.fromBs(l);
            }
            default -> throw unsupported(name, v);
        };
    }

    private static JsonNode json(String name, AttributeValue v) {
        ObjectNode o = Json.object();
        switch (v.type()) {
            case S -> o.put("S", v.s());
            case N -> o.put("N", v.n());
            case B -> o.put("B", base64(v.b()));
            case BOOL -> o.put("BOOL", v.bool());
            case NUL -> o.put("NULL", true);
            case M -> o.set("M", toJson(v.m()));
            case L -> {
                ArrayNode l = o.putArray("L");
                v.l().forEach(e -> l.add(json(name, e)));
            }
            case SS -> v.ss().forEach(o.putArray("SS")::add);
            case NS -> v.ns().forEach(o.putArray("NS")::add);
            case BS -> {
                ArrayNode l = o.putArray("BS");
                v.bs().forEach(b -> l.add(base64(b)));
            }
            default -> throw new IllegalArgumentException("attribute " + name + " has a value of unknown type: " + v);
        }
        return o;
    }

    private static SdkBytes bytes(JsonNode base64) {
        if (!base64.isTextual()) throw new IllegalArgumentException("binary values are base64 strings, got " + base64);
        return SdkBytes.fromByteArray(Base64.getDecoder().decode(base64.asText()));
    }

    private static String base64(SdkBytes b) {
        return Base64.getEncoder().encodeToString(b.asByteArray());
    }

    private static List<String> strings(JsonNode arr) {
        List<String> l = new ArrayList<>();
        arr.forEach(e -> l.add(e.asText()));
        return l;
    }

    private static IllegalArgumentException unsupported(String name, JsonNode v) {
        return new IllegalArgumentException("attribute " + name + " is not DynamoDB JSON of a known type: " + v);
    }
}
