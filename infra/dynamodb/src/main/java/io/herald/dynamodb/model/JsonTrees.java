package io.herald.dynamodb.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON text to Jackson's tree nodes and back, with the engine's own {@link JsonReader} and
 * {@link JsonWriter}. The engine uses Jackson's node classes as its tree, nothing else of Jackson:
 * databind's ObjectMapper takes a quarter of a second to initialise and the streaming core's
 * factory and parsers about seventy classes; both would sit before the engine's first answer (see
 * docs/dynamodb-benchmark.md).
 */
public final class JsonTrees {
    private JsonTrees() {}

    /** Parses one JSON document; throws {@link IOException} for malformed input. An empty body is null. */
    public static JsonNode read(byte[] json) throws IOException {
        return JsonReader.read(json);
    }

    public static JsonNode read(String json) throws IOException {
        return JsonReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] bytes(JsonNode node) {
        return written(node, false).toBytes();
    }

    public static String text(JsonNode node) {
        return written(node, false).toString();
    }

    /** The same document with object fields in name order: equal requests give equal text. */
    public static byte[] canonicalBytes(JsonNode node) {
        return written(node, true).toBytes();
    }

    private static JsonWriter written(JsonNode node, boolean sorted) {
        JsonWriter w = new JsonWriter(256);
        write(w, node, sorted);
        return w;
    }

    private static void write(JsonWriter w, JsonNode n, boolean sorted) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                w.startObject();
                Iterator<Map.Entry<String, JsonNode>> it = sorted ? sortedFields(n) : n.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    write(w.name(e.getKey()), e.getValue(), sorted);
                }
                w.endObject();
            }
            case ARRAY -> {
                w.startArray();
                for (JsonNode x : n) write(w, x, sorted);
                w.endArray();
            }
            case STRING -> w.string(n.textValue());
            case NUMBER -> {
                if (n.isIntegralNumber()) {
                    if (n.canConvertToLong()) w.number(n.longValue());
                    else w.number(n.bigIntegerValue().toString());
                } else if (n.isBigDecimal()) {
                    w.number(n.decimalValue().toString());
                } else if (Double.isFinite(n.doubleValue())) {
                    w.number(Double.toString(n.doubleValue()));
                } else {
                    w.string(Double.toString(n.doubleValue())); // JSON has no NaN; quoted as Jackson does
                }
            }
            case BOOLEAN -> w.bool(n.booleanValue());
            case NULL, MISSING -> w.nullValue();
            default -> w.string(n.asText());
        }
    }

    private static Iterator<Map.Entry<String, JsonNode>> sortedFields(JsonNode n) {
        TreeMap<String, JsonNode> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(e.getKey(), e.getValue());
        }
        return m.entrySet().iterator();
    }
}
