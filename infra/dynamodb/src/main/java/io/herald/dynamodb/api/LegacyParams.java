package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;
import static io.herald.dynamodb.api.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.dynamodb.expr.KeyCondition;
import io.herald.dynamodb.expr.Legacy;
import io.herald.dynamodb.expr.UpdateExpression;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.storage.KeySchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The pre-expression parameters (Expected, AttributeUpdates, AttributesToGet, KeyConditions,
 * QueryFilter, ScanFilter): read from the request in its order, then handed to {@link Legacy},
 * which builds the same conditions, updates and projections the expressions do.
 */
final class LegacyParams {
    private LegacyParams() {}

    private static AttributeValue value(JsonNode n) {
        return n == null || n.isNull() ? null : AttributeJson.value(n);
    }

    private static List<AttributeValue> values(JsonNode n) {
        if (n == null || n.isNull()) return null;
        List<AttributeValue> out = new ArrayList<>();
        n.forEach(v -> out.add(AttributeJson.value(v)));
        return out;
    }

    static Predicate<Map<String, AttributeValue>> expected(JsonNode req) {
        Map<String, Legacy.ExpectedValue> m = new LinkedHashMap<>();
        req.get("Expected").fields().forEachRemaining(e -> {
            JsonNode c = e.getValue();
            m.put(e.getKey(), new Legacy.ExpectedValue(value(c.get("Value")), has(c, "Exists") ? c.get("Exists").asBoolean() : null,
                    text(c, "ComparisonOperator"), values(c.get("AttributeValueList"))));
        });
        return Legacy.expected(m, text(req, "ConditionalOperator"))::test;
    }

    private static Map<String, Legacy.Filter> filters(JsonNode node) {
        Map<String, Legacy.Filter> m = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(),
                new Legacy.Filter(text(e.getValue(), "ComparisonOperator"), values(e.getValue().get("AttributeValueList")))));
        return m;
    }

    static Predicate<Map<String, AttributeValue>> filter(JsonNode req, String param) {
        return Legacy.filter(filters(req.get(param)), text(req, "ConditionalOperator"), param)::test;
    }

    static ReadOps.KeyRange keyConditions(JsonNode req, KeySchema key) {
        KeyCondition kc = Legacy.keyConditions(filters(req.get("KeyConditions")), key.hash(), key.hashType(), key.range(), key.rangeType());
        return new ReadOps.KeyRange(kc.hashValue(), kc::matchesRange);
    }

    static UpdateExpression attributeUpdates(JsonNode req) {
        Map<String, Legacy.AttributeUpdate> m = new LinkedHashMap<>();
        req.get("AttributeUpdates").fields().forEachRemaining(e -> {
            m.put(e.getKey(), new Legacy.AttributeUpdate(text(e.getValue(), "Action"), value(e.getValue().get("Value"))));
        });
        return Legacy.attributeUpdates(m);
    }
}
