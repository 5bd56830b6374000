package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import java.util.ArrayList;
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
        return AttributeJson.node(item);
    }

    static ObjectNode value(AttributeValue v) {
        return AttributeJson.node(v);
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

    /** An object's member names, in order. */
    static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null) node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null) node.forEach(n -> out.add(n.asText()));
        return out;
    }
}
