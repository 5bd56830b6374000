package io.herald.dynamodb.model;

import java.math.BigDecimal;
import java.util.Map;

/**
 * An item's size by DynamoDB's published rules: names and strings in UTF-8 bytes, a number about one
 * byte per two significant digits plus one, binaries their length, booleans and nulls one byte,
 * and each list or map three bytes plus one byte per element. Capacity units and the 400 KB limit
 * are computed from this.
 */
public final class ItemSize {
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    private ItemSize() {}

    public static long of(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8(e.getKey()) + of(e.getValue());
        }
        return size;
    }

    public static long of(AttributeValue v) {
        return switch (v.type()) {
            case S -> utf8(v.s());
            case N -> number(v.n());
            case B -> v.b().length;
            case BOOL, NULL -> 1;
            case SS -> v.ss().stream().mapToLong(ItemSize::utf8).sum();
            case NS -> v.ns().stream().mapToLong(ItemSize::number).sum();
            case BS -> v.bs().stream().mapToLong(b -> b.length).sum();
            case L -> 3 + v.l().stream().mapToLong(x -> 1 + of(x)).sum();
            case M -> 3 + v.m().entrySet().stream().mapToLong(e -> 1 + utf8(e.getKey()) + of(e.getValue())).sum();
        };
    }

    /** About one byte per two significant digits, plus one. */
    static long number(BigDecimal n) {
        if (n.signum() == 0) return 1;
        int significant = n.stripTrailingZeros().precision();
        return (significant + 1) / 2 + 1;
    }

    static long utf8(String s) {
        int n = s.length();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) bytes++;
            else if (c < 0x800) bytes += 2;
            else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else bytes += 3;
        }
        return bytes;
    }

    public static long utf8Length(String s) {
        return utf8(s);
    }
}
