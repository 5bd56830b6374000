package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.ctx;
import static io.herald.dynamodb.expr.Values.fails;
import static io.herald.dynamodb.expr.Values.names;
import static io.herald.dynamodb.expr.Values.s;
import static io.herald.dynamodb.expr.Values.vals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionContextTest {
    @Test
    void mapsMustNotBeEmptyWhenGiven() {
        fails("ExpressionAttributeNames must not be empty", () -> ctx(Map.of(), null));
        fails("ExpressionAttributeValues must not be empty", () -> ctx(null, Map.of()));
        assertDoesNotThrow(() -> ctx(null, null));
    }

    @Test
    void keysMustBeWellFormed() {
        fails("ExpressionAttributeNames contains invalid key: Syntax error; key: \"name\"", () -> ctx(names("name", "x"), null));
        fails("ExpressionAttributeNames contains invalid key: Syntax error; key: \"#a-b\"", () -> ctx(names("#a-b", "x"), null));
        fails("ExpressionAttributeNames contains invalid key: Syntax error; key: \"#\"", () -> ctx(names("#", "x"), null));
        fails("ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"", () -> ctx(null, vals("v", s("x"))));
        fails("ExpressionAttributeValues contains invalid key: Syntax error; key: \":a.b\"", () -> ctx(null, vals(":a.b", s("x"))));
        assertDoesNotThrow(() -> ctx(names("#0_aZ", "x"), vals(":0_aZ", s("x"))));
    }

    @Test
    void unusedNamesAreReportedBeforeUnusedValues() {
        ExpressionContext c = ctx(names("#a", "a", "#unused", "x", "#b", "b", "#gone", "y"), vals(":v", s("1"), ":unused", s("2")));
        Condition.parse("#a = :v AND #b = :v", "ConditionExpression", c);
        fails("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused, #gone}", c::checkUnused);
        ExpressionContext d = ctx(names("#a", "a"), vals(":v", s("1"), ":unused", s("2")));
        Condition.parse("#a = :v", "ConditionExpression", d);
        fails("Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}", d::checkUnused);
    }

    @Test
    void usageIsSharedAcrossTheRequestsExpressions() {
        ExpressionContext c = ctx(names("#a", "a", "#p", "p"), vals(":v", s("1"), ":w", s("2")));
        UpdateExpression.parse("SET #a = :v", c);
        Condition.parse("attribute_exists(#p) AND #a <> :w", "ConditionExpression", c);
        assertDoesNotThrow(c::checkUnused);
        ExpressionContext p = ctx(names("#a", "a"), null);
        Projection.parse("#a", p);
        assertDoesNotThrow(p::checkUnused);
    }

    @Test
    void emptyContext() {
        assertDoesNotThrow(() -> ExpressionContext.empty().checkUnused());
    }
}
