package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.b;
import static io.herald.dynamodb.expr.Values.bs;
import static io.herald.dynamodb.expr.Values.ctx;
import static io.herald.dynamodb.expr.Values.fails;
import static io.herald.dynamodb.expr.Values.item;
import static io.herald.dynamodb.expr.Values.l;
import static io.herald.dynamodb.expr.Values.m;
import static io.herald.dynamodb.expr.Values.n;
import static io.herald.dynamodb.expr.Values.names;
import static io.herald.dynamodb.expr.Values.ns;
import static io.herald.dynamodb.expr.Values.s;
import static io.herald.dynamodb.expr.Values.ss;
import static io.herald.dynamodb.expr.Values.vals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.herald.dynamodb.model.AttributeValue;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpdateExpressionTest {
    private static final Map<String, AttributeValue> VALS = vals(
            ":s", s("new"), ":one", n("1"), ":big", n("9.9999999999999999999999999999999999999E+125"), ":nine", n("9E+125"),
            ":l", l(s("x"), s("y")), ":empty", l(), ":ss", ss("b", "c"), ":ns", ns("2", "3"), ":bs", bs(new byte[] {9}),
            ":m", m("k", s("v")), ":t", AttributeValue.TRUE, ":null", AttributeValue.NULL, ":b", b(1));

    private static final Map<String, AttributeValue> ITEM = item(
            "pk", s("p"),
            "cnt", n("10"),
            "str", s("old"),
            "tags", ss("a", "b"),
            "nums", ns("1", "2"),
            "arr", l(s("a"), s("b"), s("c"), s("d")),
            "doc", m("x", n("1"), "sb", m("y", s("deep")), "arr", l(n("0"), n("1"))));

    private static Map<String, AttributeValue> run(String expr, Map<String, AttributeValue> item) {
        ExpressionContext c = ctx(names("#c", "cnt", "#d", "doc"), VALS);
        return UpdateExpression.parse(expr, c).apply(item);
    }

    private static Map<String, AttributeValue> run(String expr) {
        return run(expr, ITEM);
    }

    private static void parseFails(String message, String expr) {
        fails("Invalid UpdateExpression: " + message, () -> UpdateExpression.parse(expr, ctx(names("#c", "cnt", "#d", "doc"), VALS)));
    }

    private static void applyFails(String message, String expr, Map<String, AttributeValue> item) {
        fails(message, () -> run(expr, item));
    }

    @Test
    void setValuesPathsAndArithmetic() {
        Map<String, AttributeValue> r = run("SET str = :s, cnt = cnt + :one, cp = doc.sb, neg = :one - cnt");
        assertEquals(s("new"), r.get("str"));
        assertEquals(n("11"), r.get("cnt"));
        assertEquals(m("y", s("deep")), r.get("cp"));
        assertEquals(n("-9"), r.get("neg"));
        assertEquals(s("p"), r.get("pk"));
        assertEquals(s("old"), ITEM.get("str"), "the input item is not modified");
    }

    @Test
    void setValuesAreComputedFromTheItemBeforeTheUpdate() {
        Map<String, AttributeValue> r = run("SET str = cnt, cnt = str");
        assertEquals(n("10"), r.get("str"));
        assertEquals(s("old"), r.get("cnt"));
    }

    @Test
    void setWithParenthesesAndKeywordsInAnyCase() {
        Map<String, AttributeValue> r = run("set #c = (#c + :one) add cnt2 :one");
        assertEquals(n("11"), r.get("cnt"));
        assertEquals(n("1"), r.get("cnt2"));
        assertEquals(n("11"), run("SET #c = (#c + :one)").get("cnt"));
        assertEquals(n("11"), run("SET #c = (#c) + (:one)").get("cnt"));
        assertEquals(n("11"), run("sEt #c=#c+:one").get("cnt"));
    }

    @Test
    void ifNotExistsAndListAppend() {
        Map<String, AttributeValue> r = run("SET cnt = if_not_exists(cnt, :one), fresh = if_not_exists(fresh, :one), "
                + "arr = list_append(arr, :l), pre = list_append(:l, if_not_exists(pre, :empty))");
        assertEquals(n("10"), r.get("cnt"));
        assertEquals(n("1"), r.get("fresh"));
        assertEquals(l(s("a"), s("b"), s("c"), s("d"), s("x"), s("y")), r.get("arr"));
        assertEquals(l(s("x"), s("y")), r.get("pre"));
        assertEquals(n("11"), run("SET cnt = if_not_exists(cnt, :one) + :one").get("cnt"));
    }

    @Test
    void nestedSetAndListIndexes() {
        Map<String, AttributeValue> r = run("SET doc.sb.y = :s, doc.z = :one, arr[1] = :s, doc.arr[0] = :t");
        assertEquals(m("y", s("new")), r.get("doc").m().get("sb"));
        assertEquals(n("1"), r.get("doc").m().get("z"));
        assertEquals(l(s("a"), s("new"), s("c"), s("d")), r.get("arr"));
        assertEquals(l(AttributeValue.TRUE, n("1")), r.get("doc").m().get("arr"));
        assertEquals(n("1"), r.get("doc").m().get("x"));
    }

    @Test
    void setPastTheEndOfAListAppends() {
        assertEquals(l(s("a"), s("b"), s("c"), s("d"), s("new")), run("SET arr[10] = :s").get("arr"));
        assertEquals(l(s("a"), s("b"), s("c"), s("d"), n("1"), s("new")), run("SET arr[12] = :s, arr[7] = :one").get("arr"));
        assertEquals(l(s("new")), run("SET e[0] = :s", item("e", l())).get("e"));
    }

    @Test
    void removeAttributesKeysAndListElements() {
        Map<String, AttributeValue> r = run("REMOVE str, doc.sb, arr[1], nothing, doc.nothing");
        assertFalse(r.containsKey("str"));
        assertEquals(Set.of("x", "arr"), r.get("doc").m().keySet());
        assertEquals(l(s("a"), s("c"), s("d")), r.get("arr"));
        assertEquals(l(s("a"), s("b"), s("c")), run("REMOVE arr[3]").get("arr"));
        assertEquals(ITEM.get("arr"), run("REMOVE arr[9]").get("arr"));
    }

    @Test
    void removingSeveralListElementsUsesOriginalPositions() {
        assertEquals(l(s("a"), s("d")), run("REMOVE arr[1], arr[2]").get("arr"));
        assertEquals(l(s("a"), s("d")), run("REMOVE arr[2], arr[1]").get("arr"));
        assertEquals(l(s("new"), s("d")), run("REMOVE arr[1], arr[2] SET arr[0] = :s").get("arr"));
    }

    @Test
    void addNumbersAndSets() {
        Map<String, AttributeValue> r = run("ADD cnt :one, fresh :one, tags :ss, nums :ns, newset :ss, bins :bs");
        assertEquals(n("11"), r.get("cnt"));
        assertEquals(n("1"), r.get("fresh"));
        assertEquals(ss("a", "b", "c"), r.get("tags"));
        assertEquals(ns("1", "2", "3"), r.get("nums"));
        assertEquals(ss("b", "c"), r.get("newset"));
        assertEquals(bs(new byte[] {9}), r.get("bins"));
        assertEquals(n("2"), run("ADD doc.x :one").get("doc").m().get("x"));
    }

    @Test
    void deleteFromSets() {
        Map<String, AttributeValue> r = run("DELETE tags :ss, nums :ns, absent :ss");
        assertEquals(ss("a"), r.get("tags"));
        assertEquals(ns("1"), r.get("nums"));
        assertFalse(r.containsKey("absent"));
        Map<String, AttributeValue> gone = run("DELETE tags :ss", item("tags", ss("b")));
        assertFalse(gone.containsKey("tags"), "an emptied set is removed");
    }

    @Test
    void clausesInAnyOrderAndCase() {
        Map<String, AttributeValue> r = run("remove str ADD cnt :one set x = :s DELETE tags :ss");
        assertFalse(r.containsKey("str"));
        assertEquals(n("11"), r.get("cnt"));
        assertEquals(s("new"), r.get("x"));
        assertEquals(ss("a"), r.get("tags"));
    }

    @Test
    void updateOfAnAbsentItem() {
        Map<String, AttributeValue> r = run("SET a = :s ADD c :one", null);
        assertEquals(item("a", s("new"), "c", n("1")), r);
    }

    @Test
    void namesTouched() {
        UpdateExpression u = UpdateExpression.parse("SET a = b, #d.x = :one REMOVE c[1] ADD e :one", ctx(names("#d", "doc"), VALS));
        assertEquals(Set.of("a", "doc", "c", "e"), u.topLevelNames());
        assertEquals(Set.of("doc", "c"), u.nestedTopLevelNames());
        assertEquals(List.of("[a]", "[doc, x]", "[c, [1]]", "[e]"), u.paths().stream().map(Path::toString).toList());
        Map<String, AttributeValue> updated = u.updatedAttributes().apply(item("a", s("1"), "b", s("2"), "doc", m("x", n("1"), "y", n("2"))));
        assertEquals(item("a", s("1"), "doc", m("x", n("1"))), updated);
    }

    @Test
    void runtimeErrors() {
        applyFails(Doc.INVALID_PATH, "SET nope.x = :s", ITEM);
        applyFails(Doc.INVALID_PATH, "SET str.x = :s", ITEM);
        applyFails(Doc.INVALID_PATH, "SET doc[0] = :s", ITEM);
        applyFails(Doc.INVALID_PATH, "SET arr.x = :s", ITEM);
        applyFails(Doc.INVALID_PATH, "SET arr[9].x = :s", ITEM);
        applyFails(Doc.INVALID_PATH, "REMOVE nope.x", ITEM);
        applyFails(Doc.INVALID_PATH, "ADD nope.x :one", ITEM);
        applyFails("The provided expression refers to an attribute that does not exist in the item", "SET a = nope", ITEM);
        applyFails("The provided expression refers to an attribute that does not exist in the item", "SET a = nope + :one", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "SET a = str + :one", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "SET a = :one - tags", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "SET a = list_append(str, :l)", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "ADD str :one", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "ADD tags :ns", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "ADD cnt :ss", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "DELETE nums :ss", ITEM);
        applyFails("An operand in the update expression has an incorrect data type", "DELETE str :ss", ITEM);
        applyFails("Number overflow. Attempting to store a number with magnitude larger than supported range", "SET a = :nine + :nine", ITEM);
        applyFails("Number overflow. Attempting to store a number with magnitude larger than supported range", "ADD a :nine", item("a", n("1E+125")));
        // DynamoDB words a sum it cannot hold in 38 digits as an overflow too, even in range
        applyFails("Number overflow. Attempting to store a number with magnitude larger than supported range", "SET a = :big + :one", ITEM);
    }

    @Test
    void parseErrors() {
        parseFails("Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"", "INVALID SYNTAX HERE");
        parseFails("Syntax error; token: \":\", near: \"hits : incr\"", "ADD hits : incr");
        parseFails("Syntax error; token: \"<EOF>\", near: \"SET\"", "SET");
        parseFails("Syntax error; token: \"<EOF>\", near: \",\"", "SET a = :s,");
        parseFails("Syntax error; token: \"<EOF>\", near: \"+\"", "SET a = a +");
        parseFails("Syntax error; token: \"+\", near: \":one + :one\"", "SET a = a + :one + :one");
        parseFails("Syntax error; token: \",\", near: \"#c, #d\"", "SET #c, #d = :s");
        parseFails("Syntax error; token: \"b\", near: \"a b\"", "REMOVE a b");
        parseFails("Syntax error; token: \"b\", near: \"a b\"", "ADD a b");
        parseFails("Syntax error; token: \"=\", near: \"a = :one\"", "ADD a = :one");
        parseFails("Invalid function name; function: b", "SET a = b (:one)");
        parseFails("The expression can not be empty;", "");
    }

    @Test
    void semanticErrors() {
        parseFails("The \"SET\" section can only be used once in an update expression;", "SET a = :s SET b = :s");
        parseFails("The \"REMOVE\" section can only be used once in an update expression;", "REMOVE a remove b");
        parseFails("Attribute name is a reserved keyword; reserved keyword: status", "SET status = :s");
        parseFails("Attribute name is a reserved keyword; reserved keyword: name", "SET a = name");
        parseFails("An expression attribute name used in the document path is not defined; attribute name: #x", "SET #x = :s");
        parseFails("An expression attribute value used in expression is not defined; attribute value: :x", "SET a = :x");
        parseFails("Invalid function name; function: size", "SET a = size(b)");
        parseFails("Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1",
                "SET a = if_not_exists(a)");
        parseFails("Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 3",
                "SET a = list_append(a, :l, :l)");
        parseFails("Operator or function requires a document path; operator or function: if_not_exists", "SET a = if_not_exists(:s, a)");
        parseFails("Incorrect operand type for operator or function; operator or function: list_append, operand type: S", "SET a = list_append(a, :s)");
        parseFails("Incorrect operand type for operator or function; operator or function: +, operand type: S", "SET a = a + :s");
        parseFails("Incorrect operand type for operator or function; operator or function: -, operand type: M", "SET a = :m - a");
        parseFails("Incorrect operand type for operator or function; operator: ADD, operand type: STRING", "ADD a :s");
        parseFails("Incorrect operand type for operator or function; operator: ADD, operand type: LIST", "ADD a :l");
        parseFails("Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN", "ADD a :t");
        parseFails("Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER", "DELETE a :one");
        parseFails("Incorrect operand type for operator or function; operator: DELETE, operand type: MAP", "DELETE a :m");
        parseFails("Incorrect operand type for operator or function; operator: DELETE, operand type: NULL", "DELETE a :null");
        parseFails("Incorrect operand type for operator or function; operator: DELETE, operand type: BINARY", "DELETE a :b");
    }

    @Test
    void overlappingAndConflictingPaths() {
        parseFails("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
                "SET a = :s, a.b = :s");
        parseFails("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
                "SET a = :s REMOVE a");
        parseFails("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [cnt, [1]], path two: [cnt, [1]]",
                "SET #c[1] = :s ADD cnt[1] :one");
        parseFails("Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]",
                "SET a.b = :s, a[0] = :s");
        // names resolve before comparison
        parseFails("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [doc, x], path two: [doc]",
                "SET doc.x = :s REMOVE #d");
    }

    @Test
    void problemPrecedence() {
        parseFails("Attribute name is a reserved keyword; reserved keyword: status", "SET a = :nope, status = foo(b)");
        parseFails("Invalid function name; function: foo", "SET a = :s SET b = foo(c)");
        parseFails("The \"SET\" section can only be used once in an update expression;", "SET a = #nope SET b = :s");
        parseFails("An expression attribute name used in the document path is not defined; attribute name: #nope", "SET a = :nope, b = #nope");
        parseFails("An expression attribute value used in expression is not defined; attribute value: :nope", "SET a = :nope, a = :s");
    }

    @Test
    void unchangedAttributesAreShared() {
        Map<String, AttributeValue> r = run("SET doc.sb.y = :s");
        assertEquals(ITEM.get("arr"), r.get("arr"));
        assertEquals(m("y", s("deep")), ITEM.get("doc").m().get("sb"));
        assertNull(r.get("nothing"));
    }
}
