package io.herald.aws.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Converts a stream record's image (DynamoDB JSON: {"S": "..."}, {"N": "1"}, ...) to attribute values. */
public final class StreamImages {
    private StreamImages() {}

    public static Map<String, AttributeValue> toItem(JsonNode image) {
        Map<String, AttributeValue> out = new HashMap<>();
        image.fields().forEachRemaining(f -> out.put(f.getKey(), value(f.getValue())));
        return out;
    }

    private static AttributeValue value(JsonNode v) {
        if (v.has("S")) return AttributeValue.fromS(v.get("S").asText());
        if (v.has("N")) return AttributeValue.fromN(v.get("N").asText());
        if (v.has("BOOL")) return AttributeValue.fromBool(v.get("BOOL").asBoolean());
        if (v.has("NULL")) return AttributeValue.fromNul(true);
        if (v.has("M")) return AttributeValue.fromM(toItem(v.get("M")));
        if (v.has("SS")) return AttributeValue.fromSs(strings(v.get("SS")));
        if (v.has("NS")) return AttributeValue.fromNs(strings(v.get("NS")));
        if (v.has("L")) {
            List<AttributeValue> l = new ArrayList<>();
            v.get("L").forEach(e -> l.add(value(e)));
            return AttributeValue.fromL(l);
        }
        throw new IllegalArgumentException("unsupported attribute value " + v);
    }

    private static List<String> strings(JsonNode arr) {
        List<String> l = new ArrayList<>();
        arr.forEach(e -> l.add(e.asText()));
        return l;
    }
}
