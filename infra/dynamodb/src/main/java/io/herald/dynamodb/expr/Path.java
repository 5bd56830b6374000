package io.herald.dynamodb.expr;

import io.herald.dynamodb.model.AttributeValue;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A resolved document path: a top-level attribute name followed by map keys ({@link String}) and list
 * indexes ({@link Integer}). Names are the real attribute names, {@code #refs} already substituted.
 */
public final class Path {
    private final Object[] elements;

    Path(Object[] elements) {
        this.elements = elements;
    }

    /** A one-element path naming a top-level attribute. */
    /** A top-level attribute as the legacy parameters name it (every legacy name passes here, so its length is checked here). */
    public static Path of(String topLevelName) {
        io.herald.dynamodb.model.AttributeJson.checkName(topLevelName);
        return new Path(new Object[] {topLevelName});
    }

    public int size() {
        return elements.length;
    }

    public String head() {
        return (String) elements[0];
    }

    public boolean isIndex(int i) {
        return elements[i] instanceof Integer;
    }

    /** The map key at position {@code i}; the head is position 0. */
    public String name(int i) {
        return (String) elements[i];
    }

    public int index(int i) {
        return (Integer) elements[i];
    }

    public List<Object> elements() {
        return List.of(elements);
    }

    /** The value at this path in an item, or null when any step is missing or of the wrong type. */
    public AttributeValue resolve(Map<String, AttributeValue> item) {
        AttributeValue cur = item.get((String) elements[0]);
        for (int i = 1; i < elements.length && cur != null; i++) {
            Object e = elements[i];
            if (e instanceof Integer ix) {
                if (cur.type() != AttributeValue.Type.L) return null;
                List<AttributeValue> l = cur.l();
                cur = ix < l.size() ? l.get(ix) : null;
            } else {
                if (cur.type() != AttributeValue.Type.M) return null;
                cur = cur.m().get((String) e);
            }
        }
        return cur;
    }

    /** DynamoDB's rendering in error messages: {@code [a, b, [2]]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) sb.append(", ");
            if (elements[i] instanceof Integer) sb.append('[').append(elements[i]).append(']');
            else sb.append(elements[i]);
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Path p && Arrays.equals(elements, p.elements);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(elements);
    }
}
