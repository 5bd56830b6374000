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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.model.AttributeValue;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConditionTest {
    /** An item with one attribute of every type, plus nesting. */
    static final Map<String, AttributeValue> ITEM = item(
            "pk", s("p1"),
            "nm", s("alice"),
            "age", n("30"),
            "bin", b(1, 2, 3, 4, 5),
            "tags", ss("admin", "user"),
            "nums", ns("1", "2.5"),
            "bins", bs(new byte[] {1}, new byte[] {2}),
            "lst", l(s("first"), n("2"), m("k", s("v"))),
            "mp", m("nested", s("deep"), "inr", m("x", n("1")), "arr", l(s("a"), s("b"))),
            "flag", AttributeValue.TRUE,
            "nothing", AttributeValue.NULL,
            "uni", s("h\u00e9llo"));

    private static boolean eval(String expr, Map<String, String> names, Map<String, AttributeValue> vals) {
        ExpressionContext c = ctx(names, vals);
        Condition cond = Condition.parse(expr, "ConditionExpression", c);
        c.checkUnused();
        return cond.test(ITEM);
    }

    private static boolean eval(String expr, Object... values) {
        return eval(expr, null, values.length == 0 ? null : vals(values));
    }

    @Test
    void comparatorsOnNumbersStringsAndBinaries() {
        assertTrue(eval("age = :v", ":v", n("30.0")));
        assertFalse(eval("age = :v", ":v", s("30")));
        assertTrue(eval("age <> :v", ":v", s("30")));
        assertTrue(eval("age < :v", ":v", n("31")));
        assertFalse(eval("age < :v", ":v", n("30")));
        assertTrue(eval("age <= :v", ":v", n("30")));
        assertTrue(eval("age > :v", ":v", n("-1E2")));
        assertTrue(eval("age >= :v", ":v", n("30")));
        assertTrue(eval("#n > :v", names("#n", "nm"), vals(":v", s("al"))));
        assertFalse(eval("#n < :v", names("#n", "nm"), vals(":v", s("al"))));
        assertTrue(eval("bin > :v", ":v", b(1, 2)));
        assertTrue(eval("bin < :v", ":v", b(0xff)));
    }

    @Test
    void comparingDifferentTypesOrMissingAttributesIsFalseNotAnError() {
        assertFalse(eval("age < :v", ":v", s("99")));
        assertFalse(eval("absent = :v", ":v", s("x")));
        assertTrue(eval("absent <> :v", ":v", s("x")));
        assertTrue(eval("absent <> nothere"), "two missing attributes are unequal too (DynamoDB)");
        assertFalse(eval("absent = nothere"));
        assertFalse(eval("absent < :v", ":v", n("1")));
        assertFalse(eval("tags < :v", ":v", ss("z")));
        assertFalse(eval("mp > :v", ":v", m()));
        assertFalse(eval("flag > :v", ":v", AttributeValue.FALSE));
    }

    @Test
    void equalityOfSetsListsAndMaps() {
        assertTrue(eval("tags = :v", ":v", ss("user", "admin")));
        assertFalse(eval("tags = :v", ":v", ss("user")));
        assertTrue(eval("nums = :v", ":v", ns("2.50", "1")));
        assertTrue(eval("lst = :v", ":v", l(s("first"), n("2"), m("k", s("v")))));
        assertFalse(eval("lst = :v", ":v", l(n("2"), s("first"), m("k", s("v")))));
        assertTrue(eval("mp.inr = :v", ":v", m("x", n("1.0"))));
        assertTrue(eval("flag = :v", ":v", AttributeValue.TRUE));
        assertTrue(eval("nothing = :v", ":v", AttributeValue.NULL));
    }

    @Test
    void pathToPathComparison() {
        assertTrue(eval("age > lst[1]"));
        assertFalse(eval("age = lst[1]"));
        assertTrue(eval("mp.arr[0] < mp.arr[1]"));
    }

    @Test
    void documentPaths() {
        assertTrue(eval("mp.nested = :v", ":v", s("deep")));
        assertTrue(eval("mp.inr.x = :v", ":v", n("1")));
        assertTrue(eval("lst[2].k = :v", ":v", s("v")));
        assertTrue(eval("mp.arr[1] = :v", ":v", s("b")));
        assertFalse(eval("mp.arr[2] = :v", ":v", s("b")));
        assertFalse(eval("lst.k = :v", ":v", s("v")), "a lst is not a map");
        assertFalse(eval("mp[0] = :v", ":v", s("v")), "a mp is not a list");
        assertTrue(eval("#m.#k = :v", names("#m", "mp", "#k", "nested"), vals(":v", s("deep"))));
        assertTrue(eval("mp . nested = :v", ":v", s("deep")), "spaces around the dot");
        assertTrue(eval("mp.arr[ 0 ] = :v", ":v", s("a")));
        assertFalse(eval("#d = :v", names("#d", "a.b"), vals(":v", s("dotted"))));
    }

    @Test
    void namesWithDotsAreOneAttribute() {
        Map<String, AttributeValue> it = item("a.b", s("x"), "a", m("b", s("y")));
        ExpressionContext c = ctx(names("#ab", "a.b"), vals(":v", s("x")));
        assertTrue(Condition.parse("#ab = :v", "FilterExpression", c).test(it));
        ExpressionContext c2 = ctx(null, vals(":v", s("y")));
        assertTrue(Condition.parse("a.b = :v", "FilterExpression", c2).test(it));
    }

    @Test
    void betweenIsInclusiveAndTyped() {
        assertTrue(eval("age BETWEEN :lo AND :hi", ":lo", n("30"), ":hi", n("40")));
        assertTrue(eval("age between :lo and :hi", ":lo", n("20"), ":hi", n("30")));
        assertFalse(eval("age BETWEEN :lo AND :hi", ":lo", n("31"), ":hi", n("40")));
        assertFalse(eval("nm BETWEEN :lo AND :hi", ":lo", n("1"), ":hi", n("40")));
        assertTrue(eval("nm BETWEEN :lo AND :hi", ":lo", s("a"), ":hi", s("b")));
        assertFalse(eval("absent BETWEEN :lo AND :hi", ":lo", s("a"), ":hi", s("b")));
    }

    @Test
    void inMatchesAnyListedValue() {
        assertTrue(eval("#n IN (:a, :b)", names("#n", "nm"), vals(":a", s("bob"), ":b", s("alice"))));
        assertFalse(eval("#n IN (:a)", names("#n", "nm"), vals(":a", s("bob"))));
        assertTrue(eval("age in (:a,:b)", ":a", s("30"), ":b", n("30")));
        assertFalse(eval("absent IN (:a)", ":a", s("x")));
        assertTrue(eval("tags IN (:a)", ":a", ss("user", "admin")));
    }

    @Test
    void logicalOperatorsAndPrecedence() {
        // NOT binds tighter than AND, AND tighter than OR
        assertTrue(eval("age = :x OR age = :y AND age = :z", ":x", n("30"), ":y", n("1"), ":z", n("2")));
        assertFalse(eval("(age = :x OR age = :y) AND age = :z", ":x", n("30"), ":y", n("1"), ":z", n("2")));
        assertFalse(eval("NOT age = :x AND age = :x", ":x", n("30")));
        assertTrue(eval("NOT age = :y AND age = :x", ":x", n("30"), ":y", n("1")));
        assertTrue(eval("NOT (age = :y AND age = :x)", ":x", n("30"), ":y", n("1")));
        assertTrue(eval("NOT NOT age = :x", ":x", n("30")));
        assertTrue(eval("not age = :y or age = :y", ":y", n("1")));
        assertTrue(eval("(age = :x AND (#n = :n))", names("#n", "nm"), vals(":x", n("30"), ":n", s("alice"))));
        assertTrue(eval("(age = :x) AND (#n = :n)", names("#n", "nm"), vals(":x", n("30"), ":n", s("alice"))));
        assertTrue(eval("age = :x AND attribute_exists(pk) AND NOT attribute_exists(zzz)", ":x", n("30")));
    }

    @Test
    void attributeExistsAndNotExists() {
        assertTrue(eval("attribute_exists(pk)"));
        assertTrue(eval("attribute_exists(nothing)"), "a NULL value exists");
        assertFalse(eval("attribute_exists(zzz)"));
        assertTrue(eval("attribute_not_exists(zzz)"));
        assertTrue(eval("attribute_exists(mp.inr.x)"));
        assertTrue(eval("attribute_not_exists(mp.inr.y)"));
        assertTrue(eval("attribute_exists(lst[2])"));
        assertTrue(eval("attribute_not_exists(lst[3])"));
        assertTrue(eval("attribute_exists(#s)", names("#s", "nm"), null));
        // on an absent item nothing exists
        Condition c = Condition.parse("attribute_not_exists(pk)", "ConditionExpression", ExpressionContext.empty());
        assertTrue(c.test(null));
    }

    @Test
    void attributeTypeForEveryType() {
        String[][] cases = {{"nm", "S"}, {"age", "N"}, {"bin", "B"}, {"tags", "SS"}, {"nums", "NS"}, {"bins", "BS"},
            {"lst", "L"}, {"mp", "M"}, {"flag", "BOOL"}, {"nothing", "NULL"}};
        for (String[] c : cases) {
            assertTrue(eval("attribute_type(" + c[0] + ", :t)", ":t", s(c[1])), c[0]);
            assertFalse(eval("attribute_type(" + c[0] + ", :t)", ":t", s(c[1].equals("S") ? "N" : "S")), c[0]);
        }
        assertFalse(eval("attribute_type(zzz, :t)", ":t", s("S")));
    }

    @Test
    void beginsWith() {
        assertTrue(eval("begins_with(#n, :p)", names("#n", "nm"), vals(":p", s("ali"))));
        assertTrue(eval("begins_with(#n, :p)", names("#n", "nm"), vals(":p", s(""))));
        assertFalse(eval("begins_with(#n, :p)", names("#n", "nm"), vals(":p", s("lic"))));
        assertTrue(eval("begins_with(bin, :p)", ":p", b(1, 2)));
        assertFalse(eval("begins_with(bin, :p)", ":p", b(2)));
        assertFalse(eval("begins_with(bin, :p)", ":p", s("a")));
        assertFalse(eval("begins_with(tags, :p)", ":p", s("a")));
        assertFalse(eval("begins_with(zzz, :p)", ":p", s("a")));
    }

    @Test
    void containsOnStringsSetsListsAndBinaries() {
        assertTrue(eval("contains(#n, :v)", names("#n", "nm"), vals(":v", s("lic"))));
        assertFalse(eval("contains(#n, :v)", names("#n", "nm"), vals(":v", s("bob"))));
        assertTrue(eval("contains(tags, :v)", ":v", s("admin")));
        assertFalse(eval("contains(tags, :v)", ":v", s("adm")));
        assertTrue(eval("contains(nums, :v)", ":v", n("2.50")));
        assertFalse(eval("contains(nums, :v)", ":v", s("1")));
        assertTrue(eval("contains(bins, :v)", ":v", b(2)));
        assertTrue(eval("contains(lst, :v)", ":v", s("first")));
        assertTrue(eval("contains(lst, :v)", ":v", n("2")));
        assertTrue(eval("contains(lst, :v)", ":v", m("k", s("v"))));
        assertFalse(eval("contains(lst, :v)", ":v", s("fir")));
        assertTrue(eval("contains(bin, :v)", ":v", b(3, 4)));
        assertFalse(eval("contains(age, :v)", ":v", n("3")));
        assertFalse(eval("contains(zzz, :v)", ":v", s("a")));
        assertTrue(eval("NOT contains(zzz, :v)", ":v", s("a")));
    }

    @Test
    void sizeOfEveryType() {
        assertTrue(eval("size(#n) = :v", names("#n", "nm"), vals(":v", n("5"))));
        assertTrue(eval("size(uni) = :v", ":v", n("5")), "UTF-16 code units, as DynamoDB counts (not UTF-8 bytes)");
        assertTrue(eval("size(bin) = :v", ":v", n("5")));
        assertTrue(eval("size(tags) = :v", ":v", n("2")));
        assertTrue(eval("size(nums) = :v", ":v", n("2")));
        assertTrue(eval("size(bins) = :v", ":v", n("2")));
        assertTrue(eval("size(lst) = :v", ":v", n("3")));
        assertTrue(eval("size(mp) = :v", ":v", n("3")));
        assertTrue(eval("size(mp.arr) > :v", ":v", n("1")));
        assertFalse(eval("size(age) = :v", ":v", n("2")), "size of a number is undefined");
        assertFalse(eval("size(zzz) = :v", ":v", n("0")));
        assertTrue(eval(":v < size(lst)", ":v", n("2")));
        assertTrue(eval("size(lst) BETWEEN :a AND :b", ":a", n("1"), ":b", n("3")));
        assertTrue(eval("size(lst) IN (:a, :b)", ":a", n("1"), ":b", n("3")));
    }

    @Test
    void sizeOfAValue() {
        assertTrue(eval("size(:s) = :five", ":s", s("hello"), ":five", n("5")));
    }

    @Test
    void caseInsensitiveKeywordsButCaseSensitiveFunctions() {
        assertTrue(eval("age BeTwEeN :a aNd :b", ":a", n("1"), ":b", n("99")));
        fails("Invalid ConditionExpression: Invalid function name; function: Size",
                () -> Condition.parse("Size(a) = :v", "ConditionExpression", ctx(null, vals(":v", n("1")))));
    }

    @Test
    void topLevelNames() {
        Condition c = Condition.parse("a.b = :v AND #c[1] = :v OR size(d) > :v", "FilterExpression", ctx(names("#c", "c"), vals(":v", n("1"))));
        assertEquals(Set.of("a", "c", "d"), c.topLevelNames());
        assertEquals(Set.of("a", "c"), c.nestedTopLevelNames());
    }

    @Test
    void conditionIsReusable() {
        Condition c = Condition.parse("age > :v", "FilterExpression", ctx(null, vals(":v", n("10"))));
        assertTrue(c.test(item("age", n("11"))));
        assertFalse(c.test(item("age", n("9"))));
        assertFalse(c.test(Map.of()));
    }
}
