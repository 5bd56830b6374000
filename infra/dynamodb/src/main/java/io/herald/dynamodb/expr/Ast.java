package io.herald.dynamodb.expr;

import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Checked condition trees, evaluated against items. Evaluation follows DynamoDB: a comparison whose
 * operands are missing or of different types is false (never an error), ordering applies to S, N and
 * B only, {@code <>} is true unless both sides are present and equal.
 */
final class Ast {
    private Ast() {}

    // ---- operands ----

    sealed interface Operand permits PathOp, ValueOp, SizeOp {
        /** The operand's value for this item; null when it does not exist. */
        AttributeValue eval(Map<String, AttributeValue> item);
    }

    record PathOp(Path path) implements Operand {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            return path.resolve(item);
        }
    }

    record ValueOp(AttributeValue value) implements Operand {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            return value;
        }
    }

    record SizeOp(Operand arg) implements Operand {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            AttributeValue v = arg.eval(item);
            if (v == null) return null;
            long size = switch (v.type()) {
                case S -> v.s().length(); // UTF-16 code units, as DynamoDB counts ("é𝄞" is 3), not bytes
                case B -> v.b().length;
                case SS -> v.ss().size();
                case NS -> v.ns().size();
                case BS -> v.bs().size();
                case L -> v.l().size();
                case M -> v.m().size();
                default -> -1;
            };
            return size < 0 ? null : AttributeValue.n(BigDecimal.valueOf(size));
        }
    }

    // ---- conditions ----

    enum Op {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** The operator with its operands swapped: {@code :v < k} is {@code k > :v}. */
        Op flipped() {
            return switch (this) {
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
                default -> this;
            };
        }
    }

    sealed interface Cond permits Const, And, Or, Not, Compare, Between, In, Exists, TypeIs, BeginsWith, Contains {
        boolean test(Map<String, AttributeValue> item);
    }

    /** A fixed outcome: an empty legacy filter matches everything. */
    record Const(boolean value) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return value;
        }
    }

    record And(Cond left, Cond right) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return left.test(item) && right.test(item);
        }
    }

    record Or(Cond left, Cond right) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return left.test(item) || right.test(item);
        }
    }

    record Not(Cond inner) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return !inner.test(item);
        }
    }

    record Compare(Op op, Operand left, Operand right) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue a = left.eval(item), b = right.eval(item);
            return compare(op, a, b);
        }
    }

    static boolean compare(Op op, AttributeValue a, AttributeValue b) {
        switch (op) {
            case EQ:
                return a != null && a.equals(b);
            case NE:
                // a missing attribute is unequal to anything, another missing one included (as in DynamoDB)
                return a == null || !a.equals(b);
            default:
                if (!orderable(a, b)) return false;
                int c = a.compareTo(b);
                return switch (op) {
                    case LT -> c < 0;
                    case LE -> c <= 0;
                    case GT -> c > 0;
                    default -> c >= 0;
                };
        }
    }

    static boolean orderable(AttributeValue a, AttributeValue b) {
        if (a == null || b == null || a.type() != b.type()) return false;
        Type t = a.type();
        return t == Type.S || t == Type.N || t == Type.B;
    }

    record Between(Operand subject, Operand low, Operand high) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue x = subject.eval(item);
            AttributeValue lo = low.eval(item);
            AttributeValue hi = high.eval(item);
            return orderable(x, lo) && orderable(x, hi) && x.compareTo(lo) >= 0 && x.compareTo(hi) <= 0;
        }
    }

    record In(Operand subject, List<Operand> list) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue x = subject.eval(item);
            if (x == null) return false;
            for (Operand o : list) {
                if (x.equals(o.eval(item))) return true;
            }
            return false;
        }
    }

    /** attribute_exists (positive) or attribute_not_exists. */
    record Exists(Path path, boolean positive) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return (path.resolve(item) != null) == positive;
        }
    }

    record TypeIs(Operand subject, Type type) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue v = subject.eval(item);
            return v != null && v.type() == type;
        }
    }

    record BeginsWith(Operand subject, Operand prefix) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return beginsWith(subject.eval(item), prefix.eval(item));
        }
    }

    static boolean beginsWith(AttributeValue v, AttributeValue p) {
        if (v == null || p == null || v.type() != p.type()) return false;
        if (v.type() == Type.S) return v.s().startsWith(p.s());
        if (v.type() == Type.B) {
            byte[] a = v.b(), b = p.b();
            return b.length <= a.length && java.util.Arrays.equals(a, 0, b.length, b, 0, b.length);
        }
        return false;
    }

    record Contains(Operand subject, Operand operand) implements Cond {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue v = subject.eval(item), x = operand.eval(item);
            return contains(v, x);
        }
    }

    static boolean contains(AttributeValue v, AttributeValue x) {
        if (v == null || x == null) return false;
        return switch (v.type()) {
            case S -> x.type() == Type.S && v.s().contains(x.s());
            case B -> x.type() == Type.B && indexOf(v.b(), x.b()) >= 0;
            case SS -> x.type() == Type.S && v.ss().contains(x.s());
            case NS -> x.type() == Type.N && containsNumber(v.ns(), x.n());
            case BS -> x.type() == Type.B && containsBytes(v.bs(), x.b());
            case L -> v.l().contains(x);
            default -> false;
        };
    }

    private static boolean containsNumber(List<BigDecimal> set, BigDecimal n) {
        for (BigDecimal m : set) if (m.compareTo(n) == 0) return true;
        return false;
    }

    private static boolean containsBytes(List<byte[]> set, byte[] b) {
        for (byte[] m : set) if (java.util.Arrays.equals(m, b)) return true;
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
