package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Condition;
import io.herald.dynamodb.expr.ExpressionContext;
import io.herald.dynamodb.expr.Projection;
import io.herald.dynamodb.expr.UpdateExpression;
import io.herald.dynamodb.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The expressions of one request, parsed once: which of expression and legacy parameters it uses
 * (never both), the shared names and values, and the parsed condition, filter, update and
 * projection. Operations ask for what they need and call {@link #done()} after parsing, which
 * refuses unused names and values as DynamoDB does.
 */
final class Expressions {
    final JsonNode req;
    final ExpressionContext ctx;
    private final Map<String, Set<String>> names = new HashMap<>();

    /** Checks the mix of expression and legacy parameters; {@code valueExpressions} name the expressions values may serve. */
    Expressions(JsonNode req, List<String> expressionParams, List<String> legacyParams, List<String> valueExpressions) {
        this.req = req;
        List<String> usedExpr = new ArrayList<>();
        for (String p : expressionParams) if (has(req, p)) usedExpr.add(p);
        List<String> usedLegacy = new ArrayList<>();
        for (String p : legacyParams) if (has(req, p)) usedLegacy.add(p);
        if (!usedExpr.isEmpty() && !usedLegacy.isEmpty()) {
            throw DynamoDbError.validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {"
                    + String.join(", ", usedLegacy) + "} Expression parameters: {" + String.join(", ", usedExpr) + "}");
        }
        if (has(req, "ExpressionAttributeNames") && usedExpr.isEmpty()) {
            throw DynamoDbError.validation("ExpressionAttributeNames can only be specified when using expressions");
        }
        if (has(req, "ExpressionAttributeValues") && valueExpressions.stream().noneMatch(p -> has(req, p))) {
            throw DynamoDbError.validation("ExpressionAttributeValues can only be specified when using expressions: "
                    + String.join(" and ", valueExpressions) + (valueExpressions.size() > 1 ? " are" : " is") + " null");
        }
        this.ctx = new ExpressionContext(Nodes.expressionNames(req.get("ExpressionAttributeNames")), Nodes.expressionValues(req.get("ExpressionAttributeValues")));
    }

    /** A ConditionExpression or FilterExpression; null when absent. */
    Predicate<Map<String, AttributeValue>> condition(String param) {
        if (!req.has(param) || req.get(param).isNull()) return null;
        Condition c = Condition.parse(req.get(param).asText(), param, ctx);
        names.put(param, c.topLevelNames());
        return c::test;
    }

    /**
     * The top-level attributes a parsed expression reads (empty when it is absent): what an index
     * must project. "ProjectionExpression" also answers for AttributesToGet.
     */
    Set<String> names(String param) {
        return names.getOrDefault(param, Set.of());
    }

    UpdateExpression update() {
        if (!has(req, "UpdateExpression")) return null;
        return UpdateExpression.parse(req.get("UpdateExpression").asText(), ctx);
    }

    /** A ProjectionExpression, or the legacy AttributesToGet (its names recorded the same way); null when neither. */
    UnaryOperator<Map<String, AttributeValue>> projection() {
        Projection p;
        if (has(req, "AttributesToGet")) p = io.herald.dynamodb.expr.Legacy.attributesToGet(Nodes.strings(req.get("AttributesToGet")));
        else if (!req.has("ProjectionExpression") || req.get("ProjectionExpression").isNull()) return null;
        else p = Projection.parse(req.get("ProjectionExpression").asText(), ctx);
        names.put("ProjectionExpression", p.topLevelNames());
        return p::apply;
    }

    void done() {
        ctx.checkUnused();
    }
}
