package io.herald.dynamodb.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Short builders for values, items and reference maps in the expression tests. */
final class Values {
    private Values() {}

    static AttributeValue s(String s) {
        return AttributeValue.s(s);
    }

    static AttributeValue n(String n) {
        return AttributeValue.n(n);
    }

    static AttributeValue b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = (byte) bytes[i];
        return AttributeValue.b(out);
    }

    static AttributeValue ss(String... members) {
        return AttributeValue.ss(List.of(members));
    }

    static AttributeValue ns(String... members) {
        return AttributeValue.ns(Arrays.stream(members).map(BigDecimal::new).toList());
    }

    static AttributeValue bs(byte[]... members) {
        return AttributeValue.bs(List.of(members));
    }

    static AttributeValue l(AttributeValue... elements) {
        return AttributeValue.l(List.of(elements));
    }

    /** A map value from alternating keys and values. */
    static AttributeValue m(Object... kv) {
        return AttributeValue.m(item(kv));
    }

    /** An item from alternating names and values. */
    static Map<String, AttributeValue> item(Object... kv) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) out.put((String) kv[i], (AttributeValue) kv[i + 1]);
        return out;
    }

    /** ExpressionAttributeValues from alternating refs and values. */
    static Map<String, AttributeValue> vals(Object... kv) {
        return item(kv);
    }

    /** ExpressionAttributeNames from alternating refs and names. */
    static Map<String, String> names(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) out.put(kv[i], kv[i + 1]);
        return out;
    }

    static ExpressionContext ctx(Map<String, String> names, Map<String, AttributeValue> values) {
        return new ExpressionContext(names, values);
    }

    /** Asserts a ValidationException with exactly this message. */
    static void fails(String message, Executable e) {
        DynamoDbError err = assertThrows(DynamoDbError.class, e);
        assertEquals("ValidationException", err.type());
        assertEquals(message, err.getMessage());
    }
}
