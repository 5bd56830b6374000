package io.herald.dynamodb.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One DynamoDB value, immutable. Numbers are held as {@link BigDecimal} (38 significant digits);
 * sets keep their members' first-seen order and compare without regard to order; binaries are
 * compared as unsigned bytes, as DynamoDB orders them.
 */
public final class AttributeValue implements Comparable<AttributeValue> {
    public enum Type { S, N, B, SS, NS, BS, M, L, BOOL, NULL }

    public static final AttributeValue NULL = new AttributeValue(Type.NULL, Boolean.TRUE);
    public static final AttributeValue TRUE = new AttributeValue(Type.BOOL, Boolean.TRUE);
    public static final AttributeValue FALSE = new AttributeValue(Type.BOOL, Boolean.FALSE);

    private final Type type;
    private final Object value;
    private int hash;

    private AttributeValue(Type type, Object value) {
        this.type = type;
        this.value = value;
    }

    public static AttributeValue s(String s) {
        return new AttributeValue(Type.S, Objects.requireNonNull(s));
    }

    public static AttributeValue n(BigDecimal n) {
        return new AttributeValue(Type.N, Numbers.canonical(n));
    }

    /** A number from its text; throws {@link NumberFormatException} for anything DynamoDB refuses. */
    public static AttributeValue n(String text) {
        return n(Numbers.parse(text));
    }

    public static AttributeValue b(byte[] b) {
        return new AttributeValue(Type.B, b.clone());
    }

    public static AttributeValue bool(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** A string set; the caller has removed duplicates and refused an empty set. */
    public static AttributeValue ss(List<String> members) {
        return new AttributeValue(Type.SS, List.copyOf(members));
    }

    public static AttributeValue ns(List<BigDecimal> members) {
        List<BigDecimal> c = new ArrayList<>(members.size());
        for (BigDecimal m : members) c.add(Numbers.canonical(m));
        return new AttributeValue(Type.NS, Collections.unmodifiableList(c));
    }

    public static AttributeValue bs(List<byte[]> members) {
        List<byte[]> c = new ArrayList<>(members.size());
        for (byte[] m : members) c.add(m.clone());
        return new AttributeValue(Type.BS, Collections.unmodifiableList(c));
    }

    public static AttributeValue m(Map<String, AttributeValue> map) {
        return new AttributeValue(Type.M, Collections.unmodifiableMap(new LinkedHashMap<>(map)));
    }

    public static AttributeValue l(List<AttributeValue> list) {
        return new AttributeValue(Type.L, Collections.unmodifiableList(new ArrayList<>(list)));
    }

    public Type type() {
        return type;
    }

    public String s() {
        return (String) value;
    }

    public BigDecimal n() {
        return (BigDecimal) value;
    }

    /** The canonical text of a number, as DynamoDB returns it. */
    public String nText() {
        return Numbers.text((BigDecimal) value);
    }

    /** The bytes of a binary; do not modify. */
    public byte[] b() {
        return (byte[]) value;
    }

    public boolean bool() {
        return (Boolean) value;
    }

    @SuppressWarnings("unchecked")
    public List<String> ss() {
        return (List<String>) value;
    }

    @SuppressWarnings("unchecked")
    public List<BigDecimal> ns() {
        return (List<BigDecimal>) value;
    }

    @SuppressWarnings("unchecked")
    public List<byte[]> bs() {
        return (List<byte[]>) value;
    }

    @SuppressWarnings("unchecked")
    public Map<String, AttributeValue> m() {
        return (Map<String, AttributeValue>) value;
    }

    @SuppressWarnings("unchecked")
    public List<AttributeValue> l() {
        return (List<AttributeValue>) value;
    }

    public boolean isSet() {
        return type == Type.SS || type == Type.NS || type == Type.BS;
    }

    /** Members of a set as single values (S, N or B), in set order. */
    public List<AttributeValue> setMembers() {
        List<AttributeValue> out = new ArrayList<>();
        switch (type) {
            case SS -> ss().forEach(x -> out.add(s(x)));
            case NS -> ns().forEach(x -> out.add(n(x)));
            case BS -> bs().forEach(x -> out.add(new AttributeValue(Type.B, x)));
            default -> throw new IllegalStateException("not a set: " + type);
        }
        return out;
    }

    /** Builds a set of the given type from single values, dropping duplicates; null when empty. */
    public static AttributeValue setOf(Type setType, List<AttributeValue> members) {
        List<AttributeValue> unique = new ArrayList<>();
        for (AttributeValue m : members) if (!unique.contains(m)) unique.add(m);
        if (unique.isEmpty()) return null;
        return switch (setType) {
            case SS -> ss(unique.stream().map(AttributeValue::s).toList());
            case NS -> ns(unique.stream().map(AttributeValue::n).toList());
            case BS -> new AttributeValue(Type.BS, Collections.unmodifiableList(unique.stream().map(AttributeValue::b).toList()));
            default -> throw new IllegalArgumentException("not a set type: " + setType);
        };
    }

    /** The scalar type a set holds (SS → S), or null. */
    public static Type memberType(Type setType) {
        return switch (setType) {
            case SS -> Type.S;
            case NS -> Type.N;
            case BS -> Type.B;
            default -> null;
        };
    }

    /** Orders two values of the same scalar type (S by UTF-8 bytes, N numerically, B unsigned). */
    @Override
    public int compareTo(AttributeValue o) {
        if (type != o.type) throw new IllegalArgumentException("cannot compare " + type + " with " + o.type);
        return switch (type) {
            case S -> compareUtf8(s(), o.s());
            case N -> n().compareTo(o.n());
            case B -> Arrays.compareUnsigned(b(), o.b());
            default -> throw new IllegalArgumentException("not orderable: " + type);
        };
    }

    /** DynamoDB orders strings by their UTF-8 bytes, which differs from UTF-16 order above U+FFFF. */
    static int compareUtf8(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x != y) {
                if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
                    return Arrays.compareUnsigned(a.substring(i).getBytes(StandardCharsets.UTF_8), b.substring(i).getBytes(StandardCharsets.UTF_8));
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof AttributeValue v) || v.type != type) return false;
        return switch (type) {
            case N -> n().compareTo(v.n()) == 0;
            case B -> Arrays.equals(b(), v.b());
            case SS -> ss().size() == v.ss().size() && ss().containsAll(v.ss());
            case NS -> ns().size() == v.ns().size() && ns().stream().allMatch(x -> v.ns().stream().anyMatch(y -> x.compareTo(y) == 0));
            case BS -> bs().size() == v.bs().size() && bs().stream().allMatch(x -> v.bs().stream().anyMatch(y -> Arrays.equals(x, y)));
            default -> value.equals(v.value);
        };
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = switch (type) {
                case N -> n().hashCode(); // canonical, so equal numbers hash alike
                case B -> Arrays.hashCode(b());
                case SS -> ss().stream().mapToInt(String::hashCode).sum();
                case NS -> ns().stream().mapToInt(BigDecimal::hashCode).sum();
                case BS -> bs().stream().mapToInt(Arrays::hashCode).sum();
                default -> value.hashCode();
            };
            h = h * 31 + type.ordinal() + 1;
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return switch (type) {
            case S -> "{S: " + s() + "}";
            case N -> "{N: " + nText() + "}";
            case B -> "{B: " + Base64.getEncoder().encodeToString(b()) + "}";
            case BS -> "{BS: " + bs().stream().map(x -> Base64.getEncoder().encodeToString(x)).toList() + "}";
            case NS -> "{NS: " + ns().stream().map(Numbers::text).toList() + "}";
            default -> "{" + type + ": " + value + "}";
        };
    }
}
