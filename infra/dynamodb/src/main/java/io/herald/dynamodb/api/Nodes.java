package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON building and reading helpers shared by the operations. */
final class Nodes {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Nodes() {}

    static ObjectNode object() {
        return F.objectNode();
    }

    static boolean has(JsonNode req, String field) {
        JsonNode v = req.get(field);
        return v != null && !v.isNull();
    }

    static String text(JsonNode req, String field) {
        JsonNode v = req.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static ObjectNode item(Map<String, AttributeValue> item) {
        ObjectNode o = F.objectNode();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) o.set(e.getKey(), value(e.getValue()));
        return o;
    }

    static ObjectNode value(AttributeValue v) {
        ObjectNode o = F.objectNode();
        switch (v.type()) {
            case S -> o.put("S", v.s());
            case N -> o.put("N", v.nText());
            case B -> o.put("B", Base64.getEncoder().encodeToString(v.b()));
            case BOOL -> o.put("BOOL", v.bool());
            case NULL -> o.put("NULL", true);
            case SS -> {
                ArrayNode a = o.putArray("SS");
                v.ss().forEach(a::add);
            }
            case NS -> {
                ArrayNode a = o.putArray("NS");
                v.setMembers().forEach(x -> a.add(x.nText()));
            }
            case BS -> {
                ArrayNode a = o.putArray("BS");
                v.bs().forEach(b -> a.add(Base64.getEncoder().encodeToString(b)));
            }
            case M -> o.set("M", item(v.m()));
            case L -> {
                ArrayNode a = o.putArray("L");
                v.l().forEach(x -> a.add(value(x)));
            }
        }
        return o;
    }

    static Map<String, AttributeValue> readItem(JsonNode node) {
        return AttributeJson.item(node);
    }

    /** ExpressionAttributeValues as values; invalid ones get AWS's "contains invalid value" wrapper. */
    static Map<String, AttributeValue> expressionValues(JsonNode node) {
        if (node == null || node.isNull()) return null;
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            try {
                out.put(e.getKey(), AttributeJson.value(e.getValue()));
            } catch (DynamoDbError err) {
                if (!err.type().equals("ValidationException")) throw err;
                throw DynamoDbError.validation("ExpressionAttributeValues contains invalid value: " + err.getMessage() + " for key " + e.getKey());
            }
        }
        return out;
    }

    static Map<String, String> expressionNames(JsonNode node) {
        if (node == null || node.isNull()) return null;
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null) node.forEach(n -> out.add(n.asText()));
        return out;
    }
}
