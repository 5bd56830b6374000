package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.ctx;
import static io.herald.dynamodb.expr.Values.fails;
import static io.herald.dynamodb.expr.Values.item;
import static io.herald.dynamodb.expr.Values.l;
import static io.herald.dynamodb.expr.Values.m;
import static io.herald.dynamodb.expr.Values.n;
import static io.herald.dynamodb.expr.Values.names;
import static io.herald.dynamodb.expr.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.herald.dynamodb.model.AttributeValue;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProjectionTest {
    private static final Map<String, AttributeValue> ITEM = item(
            "pk", s("p"),
            "a", m("b", l(s("b0"), s("b1"), m("c", s("deep"), "d", s("other"))), "e", n("1")),
            "arr", l(s("x0"), s("x1"), s("x2"), s("x3")),
            "status", s("on"));

    private static Map<String, AttributeValue> project(String expr) {
        return Projection.parse(expr, ctx(names("#s", "status", "#a", "a"), null)).apply(ITEM);
    }

    private static void parseFails(String message, String expr) {
        fails("Invalid ProjectionExpression: " + message, () -> Projection.parse(expr, ctx(names("#s", "status"), null)));
    }

    @Test
    void topLevelAttributes() {
        assertEquals(item("pk", s("p"), "status", s("on")), project("pk, #s"));
        assertEquals(item("pk", s("p")), project("pk, nope"));
        assertEquals(item(), project("nope"));
    }

    @Test
    void nestedPathsKeepTheirStructure() {
        assertEquals(item("a", m("b", l(s("b1")))), project("a.b[1]"));
        assertEquals(item("a", m("b", l(m("c", s("deep"))))), project("#a.b[2].c"));
        assertEquals(item("a", m("e", n("1"), "b", l(s("b0")))), project("a.e, a.b[0]"));
        assertEquals(item("a", m("b", l(m("c", s("deep"), "d", s("other"))))), project("a.b[2].c, a.b[2].d"));
    }

    @Test
    void listElementsComeBackInIndexOrderWithoutGaps() {
        assertEquals(item("arr", l(s("x1"), s("x3"))), project("arr[3], arr[1]"));
        assertEquals(item("arr", l(s("x2"))), project("arr[2], arr[9]"));
    }

    @Test
    void missingOrMistypedPathsAreLeftOut() {
        assertEquals(item(), project("a.x, arr.x"));
        assertEquals(item(), project("a[0], arr[7]"));
        assertNull(Projection.parse("pk", ctx(null, null)).apply(null));
    }

    @Test
    void topLevelNames() {
        Projection p = Projection.parse("a.b, arr[0], pk", ctx(null, null));
        assertEquals(Set.of("a", "arr", "pk"), p.topLevelNames());
        assertEquals(Set.of("a", "arr"), p.nestedTopLevelNames());
    }

    @Test
    void errors() {
        parseFails("Syntax error; token: \"!\", near: \"!!\"", "!!");
        parseFails("Syntax error; token: \"<EOF>\", near: \",\"", "a,");
        parseFails("Syntax error; token: \"b\", near: \"a b\"", "a b");
        parseFails("Syntax error; token: \":v\", near: \", :v\"", "a, :v");
        parseFails("Syntax error; token: \"(\", near: \"size(a\"", "size(a)");
        parseFails("The expression can not be empty;", "");
        parseFails("Attribute name is a reserved keyword; reserved keyword: status", "pk, status");
        parseFails("An expression attribute name used in the document path is not defined; attribute name: #x", "#x");
        parseFails("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]", "a, a.b");
        parseFails("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [status], path two: [status]", "#s, #s");
        parseFails("Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]", "a.b, a[0]");
        parseFails("Attribute name is a reserved keyword; reserved keyword: status", "#x, status, a, a");
    }
}
