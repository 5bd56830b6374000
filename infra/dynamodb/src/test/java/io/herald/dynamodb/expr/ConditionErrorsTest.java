package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.ctx;
import static io.herald.dynamodb.expr.Values.fails;
import static io.herald.dynamodb.expr.Values.l;
import static io.herald.dynamodb.expr.Values.n;
import static io.herald.dynamodb.expr.Values.names;
import static io.herald.dynamodb.expr.Values.s;
import static io.herald.dynamodb.expr.Values.vals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.herald.dynamodb.model.AttributeValue;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionErrorsTest {
    private static final Map<String, AttributeValue> VALS = vals(":v", s("x"), ":w", s("y"), ":n", n("1"), ":m", n("2"),
            ":l", l(s("a")), ":t", s("S"), ":bad", s("X"), ":b", AttributeValue.TRUE);

    private static void filterFails(String message, String expr) {
        fails("Invalid FilterExpression: " + message, () -> Condition.parse(expr, "FilterExpression", ctx(names("#a", "a"), VALS)));
    }

    private static void parses(String expr) {
        assertDoesNotThrow(() -> Condition.parse(expr, "FilterExpression", ctx(names("#a", "a"), VALS)));
    }

    @Test
    void syntaxErrorsNameTheTokenAndItsNeighbours() {
        filterFails("Syntax error; token: \"<EOF>\", near: \"a\"", "a");
        filterFails("Syntax error; token: \"<EOF>\", near: \"=\"", "a =");
        filterFails("Syntax error; token: \"=\", near: \"= = :v\"", "a = = :v");
        filterFails("Syntax error; token: \"b\", near: \":v b\"", "a = :v b");
        filterFails("Syntax error; token: \"<EOF>\", near: \"AND\"", "a = :v AND");
        filterFails("Syntax error; token: \"!\", near: \"a !=\"", "a != :v");
        filterFails("Syntax error; token: \"1\", near: \"= 1\"", "a = 1");
        filterFails("Syntax error; token: \"'\", near: \"= 'x\"", "a = 'x'");
        filterFails("Syntax error; token: \"<EOF>\", near: \"(\"", "attribute_exists(");
        filterFails("Syntax error; token: \"<EOF>\", near: \")\"", "(#a)");
        filterFails("Syntax error; token: \")\", near: \":v)\"", "a = :v)");
        filterFails("Syntax error; token: \"<EOF>\", near: \":v\"", "((a = :v");
        filterFails("Syntax error; token: \"AND\", near: \"a AND b\"", "a AND b");
        filterFails("Syntax error; token: \")\", near: \"()\"", "a IN ()");
        filterFails("Syntax error; token: \"]\", near: \"[] =\"", "a[] = :v");
        filterFails("Syntax error; token: \"x\", near: \"[x]\"", "a[x] = :v");
        filterFails("Syntax error; token: \"#\", near: \"= #\"", "a = #");
        filterFails("Syntax error; token: \":\", near: \"= :\"", "a = :");
        filterFails("Syntax error; token: \"and\", near: \"and =\"", "and = :v");
        filterFails("Syntax error; token: \"<EOF>\", near: \"size\"", "size");
        filterFails("Syntax error; token: \")\", near: \"() =\"", "size() = :v");
    }

    @Test
    void emptyAndOversizedExpressions() {
        filterFails("The expression can not be empty;", "");
        filterFails("The expression can not be empty;", "   ");
        String big = "a = :v AND " + "b".repeat(4100) + " = :v";
        filterFails("Expression size has exceeded the maximum allowed size; expression size: " + big.length(), big);
    }

    @Test
    void reservedWordsAreRefusedUnlessAliased() {
        fails("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status",
                () -> Condition.parse("status = :v", "ConditionExpression", ctx(null, vals(":v", s("x")))));
        filterFails("Attribute name is a reserved keyword; reserved keyword: Data", "a.Data = :v");
        filterFails("Attribute name is a reserved keyword; reserved keyword: name", "name = :v AND status = :v");
        parses("#a = :v");
        parses("begins_with(#a, :v)");
    }

    @Test
    void everyReservedWordIsRefused() {
        assertDoesNotThrow(() -> {
            if (ReservedWords.count() < 570) throw new AssertionError("reserved words missing: " + ReservedWords.count());
        });
        for (String w : new String[] {"ABORT", "by", "Comment", "values", "zone", "TTL", "USER", "size", "year"}) {
            filterFails("Attribute name is a reserved keyword; reserved keyword: " + w, w + " = :v");
        }
    }

    @Test
    void undefinedNamesAndValues() {
        filterFails("An expression attribute name used in the document path is not defined; attribute name: #missing", "#missing = :v");
        filterFails("An expression attribute value used in expression is not defined; attribute value: :nope", "a = :nope");
        filterFails("An expression attribute name used in the document path is not defined; attribute name: #x", "a.#x = :v");
    }

    @Test
    void functionMisuse() {
        filterFails("Invalid function name; function: foo", "foo(a)");
        filterFails("Invalid function name; function: if_not_exists", "if_not_exists(a, :v) = :v");
        filterFails("Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1", "begins_with(a)");
        filterFails("Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
                "attribute_exists(a, b)");
        filterFails("Incorrect number of operands for operator or function; operator or function: size, number of operands: 2", "size(a, b) = :n");
        filterFails("The function is not allowed to be used this way in an expression; function: size", "size(a)");
        filterFails("The function is not allowed to be used this way in an expression; function: attribute_exists",
                "attribute_exists(a) = :v");
        filterFails("The function is not allowed to be used this way in an expression; function: begins_with",
                "contains(begins_with(a, :v), :v)");
        filterFails("Operator or function requires a document path; operator or function: attribute_exists", "attribute_exists(:v)");
        filterFails("Operator or function requires a document path; operator or function: attribute_not_exists", "attribute_not_exists(:v)");
        filterFails("Incorrect operand type for operator or function; operator or function: begins_with, operand type: N", "begins_with(a, :n)");
        filterFails("Incorrect operand type for operator or function; operator or function: begins_with, operand type: L", "begins_with(:l, a)");
        filterFails("Incorrect operand type for operator or function; operator or function: size, operand type: N", "size(:n) = :n");
        filterFails("Incorrect operand type for operator or function; operator or function: size, operand type: BOOL", "size(:b) = :n");
        filterFails("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N", "attribute_type(a, :n)");
        filterFails("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
                "attribute_type(a, b)");
        filterFails("Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", "attribute_type(a, :bad)");
        parses("attribute_type(a, :t)");
        parses("contains(a, :l)");
        parses("size(a) = size(b)");
    }

    @Test
    void operandsMustDiffer() {
        filterFails("The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]", "a = a");
        filterFails("The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a, b, [1]]",
                "a.b[1] <> #a.b[1]");
        filterFails("The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [a]",
                "begins_with(a, a)");
        parses("a = b");
        parses("a.b = a.c");
    }

    @Test
    void betweenBoundsAreChecked() {
        filterFails("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:x}, upper bound operand: AttributeValue: {N:1}",
                "a BETWEEN :v AND :n");
        filterFails("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
                "a BETWEEN :m AND :n");
        parses("a BETWEEN :n AND :n");
        parses("a BETWEEN b AND :n");
    }

    @Test
    void redundantParentheses() {
        filterFails("The expression has redundant parentheses;", "((a = :v))");
        filterFails("The expression has redundant parentheses;", "(a) = :v");
        filterFails("The expression has redundant parentheses;", "a = (:v)");
        filterFails("The expression has redundant parentheses;", "(((a = :v) AND (b = :v)))");
        parses("(a = :v)");
        parses("(a = :v) AND (b = :w)");
        parses("(a = :v AND (b = :w))");
        parses("(a = :v OR (b = :w))");
        parses("NOT (a = :v)");
    }

    @Test
    void inListLimit() {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder("a IN (");
        for (int i = 0; i < 101; i++) {
            values.put(":v" + i, n(Integer.toString(i)));
            if (i > 0) sb.append(',');
            sb.append(":v").append(i);
        }
        String text = sb + ")";
        fails("Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101",
                () -> Condition.parse(text, "FilterExpression", ctx(null, values)));
        String hundred = text.replace(",:v100", "");
        assertDoesNotThrow(() -> Condition.parse(hundred, "FilterExpression", ctx(null, values)));
    }

    @Test
    void operatorLimit() {
        StringBuilder sb = new StringBuilder("a = :v");
        for (int i = 0; i < 150; i++) sb.append(" OR a = :v");
        fails("Invalid FilterExpression: The expression contains too many operators; operator count: 301",
                () -> Condition.parse(sb.toString(), "FilterExpression", ctx(null, vals(":v", s("x")))));
    }

    @Test
    void precedenceOfProblems() {
        // a syntax error wins over everything found before it
        filterFails("Syntax error; token: \"<EOF>\", near: \"AND\"", "status = :nope AND");
        // parentheses, then function names, then misuse, then reserved words, then the rest
        filterFails("The expression has redundant parentheses;", "foo(a) AND ((b = :v))");
        filterFails("Invalid function name; function: foo", "status = :v AND foo(a)");
        filterFails("Attribute name is a reserved keyword; reserved keyword: status", "a = :nope AND status = :v");
        filterFails("An expression attribute value used in expression is not defined; attribute value: :nope", "a = :nope AND begins_with(a, :n)");
        filterFails("Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
                "begins_with(a, :n) AND a = :nope");
    }

    @Test
    void deepNestingIsASyntaxErrorNotACrash() {
        String deep = "(".repeat(1000) + "a = :v" + ")".repeat(1000);
        assertDoesNotThrow(() -> {
            try {
                Condition.parse(deep, "FilterExpression", ctx(null, vals(":v", s("x"))));
            } catch (io.herald.dynamodb.DynamoDbError expected) {
                // refused cleanly
            }
        });
    }
}
