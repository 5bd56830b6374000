package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.fails;
import static io.herald.dynamodb.expr.Values.item;
import static io.herald.dynamodb.expr.Values.l;
import static io.herald.dynamodb.expr.Values.n;
import static io.herald.dynamodb.expr.Values.ns;
import static io.herald.dynamodb.expr.Values.s;
import static io.herald.dynamodb.expr.Values.ss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.expr.Legacy.AttributeUpdate;
import io.herald.dynamodb.expr.Legacy.ExpectedValue;
import io.herald.dynamodb.expr.Legacy.Filter;
import io.herald.dynamodb.expr.KeyCondition.RangeOp;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LegacyTest {
    private static final Map<String, AttributeValue> ITEM = item(
            "pk", s("p"), "status", s("active"), "role", s("admin"), "n", n("5"), "tags", ss("a", "b"), "arr", l(s("x"), n("1")),
            "a.b", s("dotted"));

    @SafeVarargs
    private static <V> Map<String, V> map(Object... kv) {
        Map<String, V> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            V v = (V) kv[i + 1];
            out.put((String) kv[i], v);
        }
        return out;
    }

    private static Filter f(String op, AttributeValue... values) {
        return new Filter(op, List.of(values));
    }

    private static boolean scan(String attr, String op, AttributeValue... values) {
        return Legacy.filter(map(attr, f(op, values)), null, "ScanFilter").test(ITEM);
    }

    @Test
    void everyComparisonOperator() {
        assertTrue(scan("status", "EQ", s("active")));
        assertFalse(scan("status", "EQ", s("x")));
        assertTrue(scan("tags", "EQ", ss("b", "a")));
        assertTrue(scan("status", "NE", s("x")));
        assertTrue(scan("absent", "NE", s("x")));
        assertFalse(scan("status", "NE", s("active")));
        assertTrue(scan("n", "LT", n("6")));
        assertTrue(scan("n", "LE", n("5")));
        assertTrue(scan("n", "GT", n("4")));
        assertTrue(scan("n", "GE", n("5")));
        assertFalse(scan("n", "GT", s("4")));
        assertTrue(scan("n", "NOT_NULL"));
        assertTrue(scan("absent", "NULL"));
        assertFalse(scan("n", "NULL"));
        assertTrue(scan("status", "CONTAINS", s("tiv")));
        assertTrue(scan("tags", "CONTAINS", s("a")));
        assertTrue(scan("arr", "CONTAINS", n("1")));
        assertFalse(scan("tags", "NOT_CONTAINS", s("a")));
        assertTrue(scan("status", "NOT_CONTAINS", s("zzz")));
        assertTrue(scan("status", "BEGINS_WITH", s("act")));
        assertFalse(scan("status", "BEGINS_WITH", s("tive")));
        assertTrue(scan("role", "IN", s("user"), s("admin")));
        assertFalse(scan("role", "IN", s("user")));
        assertTrue(scan("n", "BETWEEN", n("5"), n("9")));
        assertFalse(scan("n", "BETWEEN", n("6"), n("9")));
        assertTrue(scan("a.b", "EQ", s("dotted")), "names are literal, not paths");
    }

    @Test
    void conditionalOperator() {
        Map<String, Filter> both = map("status", f("EQ", s("active")), "role", f("EQ", s("user")));
        assertFalse(Legacy.filter(both, "AND", "QueryFilter").test(ITEM));
        assertFalse(Legacy.filter(both, null, "QueryFilter").test(ITEM));
        assertTrue(Legacy.filter(both, "OR", "QueryFilter").test(ITEM));
        assertTrue(Legacy.filter(map(), null, "ScanFilter").test(ITEM));
        assertEquals(Set.of("status", "role"), Legacy.filter(both, null, "QueryFilter").topLevelNames());
    }

    @Test
    void filterValidation() {
        fails("One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator",
                () -> Legacy.filter(map("a", f("EQ")), null, "ScanFilter"));
        fails("One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator",
                () -> Legacy.filter(map("a", f("NULL", s("x"))), null, "ScanFilter"));
        fails("One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator",
                () -> Legacy.filter(map("a", f("BETWEEN", n("1"))), null, "ScanFilter"));
        fails("One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator",
                () -> Legacy.filter(map("a", f("IN")), null, "ScanFilter"));
        fails("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type",
                () -> Legacy.filter(map("a", f("IN", s("x"), n("1"))), null, "ScanFilter"));
        fails("One or more parameter values were invalid: ComparisonOperator GT is not valid for SS AttributeValue type",
                () -> Legacy.filter(map("a", f("GT", ss("x"))), null, "ScanFilter"));
        fails("One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
                () -> Legacy.filter(map("a", f("BEGINS_WITH", n("1"))), null, "ScanFilter"));
        fails("One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for BOOL AttributeValue type",
                () -> Legacy.filter(map("a", f("CONTAINS", AttributeValue.TRUE)), null, "ScanFilter"));
        fails("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
                () -> Legacy.filter(map("a", f("BETWEEN", n("9"), n("1"))), null, "ScanFilter"));
        fails("1 validation error detected: Value 'FOO' at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
                () -> Legacy.filter(map("a", f("FOO")), null, "ScanFilter"));
        fails("1 validation error detected: Value null at 'queryFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must not be null",
                () -> Legacy.filter(map("a", new Filter(null, null)), null, "QueryFilter"));
    }

    @Test
    void expectedForms() {
        assertTrue(Legacy.expected(map("status", new ExpectedValue(s("active"), null, null, null)), null).test(ITEM));
        assertTrue(Legacy.expected(map("status", new ExpectedValue(s("active"), true, null, null)), null).test(ITEM));
        assertFalse(Legacy.expected(map("status", new ExpectedValue(s("x"), true, null, null)), null).test(ITEM));
        assertTrue(Legacy.expected(map("absent", new ExpectedValue(null, false, null, null)), null).test(ITEM));
        assertFalse(Legacy.expected(map("pk", new ExpectedValue(null, false, null, null)), null).test(ITEM));
        assertTrue(Legacy.expected(map("pk", new ExpectedValue(null, false, null, null)), null).test(null), "nothing exists on a new item");
        assertTrue(Legacy.expected(map("n", new ExpectedValue(null, null, "GT", List.of(n("1")))), null).test(ITEM));
        assertTrue(Legacy.expected(map("n", new ExpectedValue(n("1"), null, "GT", null)), null).test(ITEM), "Value with an operator");
        assertTrue(Legacy.expected(map("n", new ExpectedValue(null, null, "NOT_NULL", null)), null).test(ITEM));
        Map<String, ExpectedValue> two = map("status", new ExpectedValue(null, null, "EQ", List.of(s("active"))),
                "role", new ExpectedValue(null, null, "EQ", List.of(s("user"))));
        assertFalse(Legacy.expected(two, "AND").test(ITEM));
        assertTrue(Legacy.expected(two, "OR").test(ITEM));
    }

    @Test
    void expectedValidation() {
        fails("One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(s("x"), null, "EQ", List.of(s("x")))), null));
        fails("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(null, true, "EQ", List.of(s("x")))), null));
        fails("One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(null, null, "EQ", null)), null));
        fails("One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator",
                () -> Legacy.expected(map("a", new ExpectedValue(s("x"), null, "NULL", null)), null));
        fails("One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(null, null, null, List.of(s("x")))), null));
        fails("One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(null, null, null, null)), null));
        fails("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(null, true, null, null)), null));
        fails("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a",
                () -> Legacy.expected(map("a", new ExpectedValue(s("x"), false, null, null)), null));
    }

    @Test
    void keyConditions() {
        KeyCondition k = Legacy.keyConditions(map("pk", f("EQ", s("p")), "sk", f("BEGINS_WITH", s("ab"))), "pk", Type.S, "sk", Type.S);
        assertEquals(s("p"), k.hashValue());
        assertEquals(RangeOp.BEGINS_WITH, k.range().op());
        assertTrue(k.matchesRange(s("abc")));
        KeyCondition hashOnly = Legacy.keyConditions(map("pk", f("EQ", n("1"))), "pk", Type.N, "sk", Type.S);
        assertNull(hashOnly.range());
        fails("Query condition missed key schema element: pk",
                () -> Legacy.keyConditions(map("sk", f("EQ", s("x"))), "pk", Type.S, "sk", Type.S));
        fails("Attempted conditional constraint is not an indexable operation",
                () -> Legacy.keyConditions(map("pk", f("EQ", s("p")), "sk", f("NE", s("x"))), "pk", Type.S, "sk", Type.S));
        fails("Attempted conditional constraint is not an indexable operation",
                () -> Legacy.keyConditions(map("pk", f("NOT_NULL")), "pk", Type.S, null, null));
        fails("Query key condition not supported",
                () -> Legacy.keyConditions(map("pk", f("GT", s("p"))), "pk", Type.S, null, null));
        fails("One or more parameter values were invalid: Condition parameter type does not match schema type",
                () -> Legacy.keyConditions(map("pk", f("EQ", n("1"))), "pk", Type.S, null, null));
        fails("Conditions can be of length 1 or 2 only", () -> Legacy.keyConditions(map(), "pk", Type.S, null, null));
    }

    @Test
    void attributeUpdates() {
        Map<String, AttributeValue> before = item("pk", s("p"), "cnt", n("1"), "tags", ss("a", "b"), "arr", l(s("x")), "gone", s("g"), "nums", ns("1"));
        UpdateExpression u = Legacy.attributeUpdates(map(
                "name", new AttributeUpdate("PUT", s("new")),
                "cnt", new AttributeUpdate("ADD", n("9")),
                "fresh", new AttributeUpdate("ADD", n("2")),
                "tags", new AttributeUpdate("ADD", ss("c")),
                "arr", new AttributeUpdate("ADD", l(s("y"))),
                "gone", new AttributeUpdate("DELETE", null),
                "nums", new AttributeUpdate("DELETE", ns("1")),
                "plain", new AttributeUpdate(null, s("put by default"))));
        Map<String, AttributeValue> r = u.apply(before);
        assertEquals(s("new"), r.get("name"));
        assertEquals(n("10"), r.get("cnt"));
        assertEquals(n("2"), r.get("fresh"));
        assertEquals(ss("a", "b", "c"), r.get("tags"));
        assertEquals(l(s("x"), s("y")), r.get("arr"));
        assertFalse(r.containsKey("gone"));
        assertFalse(r.containsKey("nums"));
        assertEquals(s("put by default"), r.get("plain"));
        assertEquals(Set.of("name", "cnt", "fresh", "tags", "arr", "gone", "nums", "plain"), u.topLevelNames());
    }

    @Test
    void attributeUpdateErrors() {
        fails("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("PUT", null))));
        fails("One or more parameter values were invalid: DELETE action with value is not supported for the type S",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("DELETE", s("x")))));
        fails("One or more parameter values were invalid: ADD action is not supported for the type S",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("ADD", s("x")))));
        fails("One or more parameter values were invalid: ADD action is not supported for the type M",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("ADD", Values.m()))));
        fails("Type mismatch for attribute to update",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("ADD", n("1")))).apply(item("a", s("x"))));
        fails("Type mismatch for attribute to update",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("DELETE", ss("x")))).apply(item("a", ns("1"))));
        fails("1 validation error detected: Value 'MOVE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [ADD, PUT, DELETE]",
                () -> Legacy.attributeUpdates(map("a", new AttributeUpdate("MOVE", s("x")))));
    }

    @Test
    void attributesToGet() {
        Projection p = Legacy.attributesToGet(List.of("pk", "a.b", "absent", "status"));
        assertEquals(item("pk", s("p"), "a.b", s("dotted"), "status", s("active")), p.apply(ITEM));
        fails("One or more parameter values were invalid: Duplicate value in attribute name: pk",
                () -> Legacy.attributesToGet(List.of("pk", "x", "pk")));
    }
}
