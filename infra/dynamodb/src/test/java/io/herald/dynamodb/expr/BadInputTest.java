package io.herald.dynamodb.expr;

import static io.herald.dynamodb.expr.Values.l;
import static io.herald.dynamodb.expr.Values.m;
import static io.herald.dynamodb.expr.Values.n;
import static io.herald.dynamodb.expr.Values.names;
import static io.herald.dynamodb.expr.Values.s;
import static io.herald.dynamodb.expr.Values.ss;
import static io.herald.dynamodb.expr.Values.vals;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random expressions built from the language's own fragments: every failure must be a DynamoDbError. */
class BadInputTest {
    private static final String[] FRAGMENTS = {
        "a", "b", "#a", "#b", "#x", ":v", ":w", ":l", ":n", ":x", "a.b", "a[0]", "a[1].b", "b[99]", "[", "]", "[0]", "(", ")", ",", ".",
        "=", "<>", "<", "<=", ">", ">=", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
        "size", "contains", "begins_with", "attribute_exists", "attribute_not_exists", "attribute_type", "if_not_exists",
        "list_append", "foo", "status", "!", "'", "\"", "#", ":", "1", "99999999999", "\u00e9", "\uD83D\uDE00", " ", "\t", "\n"
    };
    private static final Map<String, AttributeValue> ITEM = Values.item(
            "a", m("b", l(s("x"), m("b", n("1")))), "b", l(n("1"), n("2")), "n", n("5"), "s", ss("x"));

    @Test
    void randomExpressionsFailOnlyWithDynamoDbErrors() {
        Random r = new Random(42);
        for (int i = 0; i < 4000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(12);
            if (i % 4 == 1) sb.append(r.nextBoolean() ? "SET " : "REMOVE ");
            for (int j = 0; j < len; j++) sb.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]).append(r.nextInt(3) == 0 ? "" : " ");
            String text = sb.toString();
            tryAll(text);
        }
    }

    @Test
    void knownNastyInputs() {
        for (String t : new String[] {"(", ")", "((((", "))))", "a[", "a[2147483648] = :v", "a[2147483647] = :v", "SET a[2147483647] = :v",
            "#", ":", "a.", ".a", "a..b", "SET a = ", "SET = :v", "REMOVE", "REMOVE ,", "ADD a", "DELETE a :v :w",
            "size(size(size(a))) = :n", "NOT", "NOT NOT", "a IN (:v,)", "a BETWEEN :v", "a BETWEEN :v AND", "\u0000", "a = :v\u0000"}) {
            tryAll(t);
        }
    }

    private static void tryAll(String text) {
        Map<String, String> names = names("#a", "a", "#b", "b");
        Map<String, AttributeValue> vals = vals(":v", s("x"), ":w", n("2"), ":l", l(s("y")), ":n", n("1"));
        run(text, () -> Condition.parse(text, "FilterExpression", new ExpressionContext(names, vals)).test(ITEM));
        run(text, () -> UpdateExpression.parse(text, new ExpressionContext(names, vals)).apply(ITEM));
        run(text, () -> Projection.parse(text, new ExpressionContext(names, vals)).apply(ITEM));
        run(text, () -> KeyCondition.parse(text, new ExpressionContext(names, vals), "a", "b"));
    }

    private static void run(String text, Runnable r) {
        try {
            r.run();
        } catch (DynamoDbError expected) {
            // refused as DynamoDB would refuse it
        } catch (RuntimeException | StackOverflowError e) {
            fail("unexpected " + e + " for: " + text, e);
        }
    }
}
