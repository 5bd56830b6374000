package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.b;
import static io.herald.dynamodb.expr.Values.ctx;
import static io.herald.dynamodb.expr.Values.fails;
import static io.herald.dynamodb.expr.Values.n;
import static io.herald.dynamodb.expr.Values.names;
import static io.herald.dynamodb.expr.Values.s;
import static io.herald.dynamodb.expr.Values.vals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.expr.KeyCondition.RangeOp;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyConditionTest {
    private static final Map<String, AttributeValue> VALS = vals(":pk", s("p"), ":a", s("b"), ":z", s("d"), ":n", n("5"), ":m", n("9"), ":t", s("S"));

    private static KeyCondition composite(String expr) {
        return KeyCondition.parse(expr, ctx(names("#pk", "pk", "#sk", "sk"), VALS), "pk", "sk");
    }

    private static void compositeFails(String message, String expr) {
        fails(message, () -> composite(expr));
    }

    @Test
    void hashOnly() {
        KeyCondition k = KeyCondition.parse("pk = :pk", ctx(null, vals(":pk", s("p"))), "pk", null);
        assertEquals(s("p"), k.hashValue());
        assertNull(k.range());
        assertTrue(k.matchesRange(null));
        assertEquals("pk", k.hashKeyName());
    }

    @Test
    void everyRangeOperator() {
        assertTrue(composite("pk = :pk AND sk = :a").matchesRange(s("b")));
        assertFalse(composite("pk = :pk AND sk = :a").matchesRange(s("c")));
        assertTrue(composite("pk = :pk AND sk < :z").matchesRange(s("c")));
        assertFalse(composite("pk = :pk AND sk < :z").matchesRange(s("d")));
        assertTrue(composite("pk = :pk AND sk <= :z").matchesRange(s("d")));
        assertTrue(composite("pk = :pk AND sk > :a").matchesRange(s("c")));
        assertFalse(composite("pk = :pk AND sk > :a").matchesRange(s("b")));
        assertTrue(composite("pk = :pk AND sk >= :a").matchesRange(s("b")));
        KeyCondition between = composite("pk = :pk AND sk BETWEEN :a AND :z");
        assertEquals(RangeOp.BETWEEN, between.range().op());
        assertEquals(List.of(s("b"), s("d")), between.range().values());
        assertTrue(between.matchesRange(s("b")));
        assertTrue(between.matchesRange(s("d")));
        assertFalse(between.matchesRange(s("e")));
        KeyCondition prefix = composite("pk = :pk AND begins_with(sk, :a)");
        assertTrue(prefix.matchesRange(s("bcd")));
        assertFalse(prefix.matchesRange(s("abc")));
        assertFalse(prefix.matchesRange(n("5")));
        assertFalse(composite("pk = :pk AND sk > :a").matchesRange(null));
    }

    @Test
    void orderOfConditionsAndSidesDoesNotMatter() {
        KeyCondition k = composite("sk > :a AND pk = :pk");
        assertEquals(s("p"), k.hashValue());
        assertEquals(RangeOp.GT, k.range().op());
        KeyCondition flipped = composite(":pk = pk AND :a < sk");
        assertEquals(s("p"), flipped.hashValue());
        assertEquals(RangeOp.GT, flipped.range().op());
        assertTrue(flipped.matchesRange(s("c")));
        assertEquals(RangeOp.LE, composite("pk = :pk AND :a >= sk").range().op());
    }

    @Test
    void parenthesesAndAliases() {
        assertEquals(s("b"), composite("(#pk = :pk) AND (#sk = :a)").range().values().get(0));
        assertEquals(s("b"), composite("(#pk = :pk AND #sk = :a)").range().values().get(0));
        assertEquals(s("b"), composite("(#pk = :pk AND (#sk = :a))").range().values().get(0));
        compositeFails("Invalid KeyConditionExpression: The expression has redundant parentheses;", "((#pk = :pk)) AND ((#sk = :a))");
    }

    @Test
    void numberAndBinaryKeys() {
        KeyCondition k = KeyCondition.parse("pk = :pk AND sk BETWEEN :lo AND :hi", ctx(null, vals(":pk", n("1"), ":lo", n("-1"), ":hi", n("10"))), "pk", "sk");
        assertTrue(k.matchesRange(n("9.99")));
        assertFalse(k.matchesRange(n("10.01")));
        KeyCondition bin = KeyCondition.parse("pk = :pk AND begins_with(sk, :p)", ctx(null, vals(":pk", b(1), ":p", b(1, 2))), "pk", "sk");
        assertTrue(bin.matchesRange(b(1, 2, 3)));
        assertFalse(bin.matchesRange(b(1, 3)));
    }

    @Test
    void schemaErrors() {
        compositeFails("Query condition missed key schema element: pk", "sk = :a");
        compositeFails("Query condition missed key schema element: pk", "attr1 = :a");
        compositeFails("Query condition missed key schema element: sk", "pk = :pk AND attr1 = :a");
        compositeFails("Query key condition not supported", "pk > :pk");
        compositeFails("Query key condition not supported", "begins_with(pk, :pk)");
        compositeFails("Conditions can be of length 1 or 2 only", "pk = :pk AND sk = :a AND x = :z");
        fails("Query key condition not supported",
                () -> KeyCondition.parse("pk = :pk AND sk = :a", ctx(null, VALS), "pk", null));
        fails("One or more parameter values were invalid: Condition parameter type does not match schema type",
                () -> KeyCondition.parse("pk = :n", ctx(null, VALS)).bind("pk", Type.S, null, null));
        fails("One or more parameter values were invalid: Condition parameter type does not match schema type",
                () -> KeyCondition.parse("pk = :pk AND sk > :a", ctx(null, VALS)).bind("pk", Type.S, "sk", Type.N));
    }

    @Test
    void shapeErrors() {
        compositeFails("Invalid operator used in KeyConditionExpression: OR", "pk = :pk OR sk = :a");
        compositeFails("Invalid operator used in KeyConditionExpression: NOT", "pk = :pk AND NOT sk = :a");
        compositeFails("Invalid operator used in KeyConditionExpression: IN", "pk IN (:pk)");
        compositeFails("Invalid operator used in KeyConditionExpression: <>", "pk <> :pk");
        compositeFails("Invalid operator used in KeyConditionExpression: attribute_exists", "pk = :pk AND attribute_exists(sk)");
        compositeFails("Invalid operator used in KeyConditionExpression: attribute_not_exists", "attribute_not_exists(sk) AND pk = :pk");
        compositeFails("Invalid operator used in KeyConditionExpression: contains", "pk = :pk AND contains(sk, :a)");
        compositeFails("Invalid operator used in KeyConditionExpression: attribute_type", "pk = :pk AND attribute_type(sk, :t)");
        compositeFails("KeyConditionExpressions cannot contain nested operations", "pk = :pk AND size(sk) > :n");
        compositeFails("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand",
                "pk = :pk AND :n BETWEEN sk AND :m");
        compositeFails("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand",
                "pk = :pk AND begins_with(:a, sk)");
        compositeFails("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition", "pk = sk");
        compositeFails("KeyConditionExpressions cannot have conditions on nested attributes", "pk.x = :pk");
        compositeFails("Invalid condition in KeyConditionExpression: No key attribute specified", ":pk = :a");
        compositeFails("KeyConditionExpressions must only contain one condition per key", "pk = :pk AND pk = :a");
    }

    @Test
    void expressionErrorsCarryTheParameterName() {
        compositeFails("Invalid KeyConditionExpression: The expression can not be empty;", "");
        compositeFails("Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \":a\"", "pk = :pk AND begins_with(sk, :a");
        compositeFails("Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope",
                "pk = :nope");
        compositeFails("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: name", "name = :pk");
    }
}
