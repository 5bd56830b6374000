package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Ast.Cond;
import io.herald.dynamodb.expr.Ast.Op;
import io.herald.dynamodb.expr.Ast.Operand;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Query's key condition: equality on the partition key and at most one condition on the sort key.
 * Built from a KeyConditionExpression ({@link #parse}) or legacy KeyConditions ({@link Legacy}).
 *
 * <p>DynamoDB checks a KeyConditionExpression in two steps: the expression itself with the request's
 * other expressions (syntax, names, values; then unused names and values), and only then its shape
 * against the key schema. {@link #parse(String, ExpressionContext)} is the first step and
 * {@link Parsed#bind} the second; {@link #parse(String, ExpressionContext, String, String)} does both.
 */
public final class KeyCondition {
    /** A sort-key comparison; {@code values} holds one value, or two for BETWEEN. */
    public enum RangeOp { EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH }

    /** The condition on the sort key. */
    public record RangeCondition(RangeOp op, List<AttributeValue> values) {
        public RangeCondition {
            values = List.copyOf(values);
        }

        /** Whether a sort-key value satisfies the condition; false for a missing or differently typed value. */
        public boolean test(AttributeValue v) {
            AttributeValue a = values.get(0);
            return switch (op) {
                case EQ -> Ast.compare(Op.EQ, v, a);
                case LT -> Ast.compare(Op.LT, v, a);
                case LE -> Ast.compare(Op.LE, v, a);
                case GT -> Ast.compare(Op.GT, v, a);
                case GE -> Ast.compare(Op.GE, v, a);
                case BETWEEN -> Ast.compare(Op.GE, v, a) && Ast.compare(Op.LE, v, values.get(1));
                case BEGINS_WITH -> Ast.beginsWith(v, a);
            };
        }
    }

    private final String hashKeyName;
    private final AttributeValue hashValue;
    private final String rangeKeyName;
    private final RangeCondition range;

    KeyCondition(String hashKeyName, AttributeValue hashValue, String rangeKeyName, RangeCondition range) {
        this.hashKeyName = hashKeyName;
        this.hashValue = hashValue;
        this.rangeKeyName = rangeKeyName;
        this.range = range;
    }

    /** Parses, checks and binds to the key schema in one step. {@code rangeKeyName} is null for a hash-only key. */
    public static KeyCondition parse(String text, ExpressionContext ctx, String hashKeyName, String rangeKeyName) {
        return parse(text, ctx).bind(hashKeyName, null, rangeKeyName, null);
    }

    /** Parses and checks the expression, not yet against a key schema. */
    public static Parsed parse(String text, ExpressionContext ctx) {
        Condition.ConditionAnalyzer a = Condition.analyze(text, "KeyConditionExpression", ctx);
        return new Parsed(a.root);
    }

    /** A parsed KeyConditionExpression waiting for its key schema. */
    public static final class Parsed {
        private final Cond root;

        Parsed(Cond root) {
            this.root = root;
        }

        /**
         * Checks the expression's shape and binds it to the key schema. The types, when given, are the
         * schema's types for the keys: a value of another type is refused as DynamoDB does.
         */
        public KeyCondition bind(String hashKeyName, Type hashType, String rangeKeyName, Type rangeType) {
            Map<String, RangeCondition> conds = new LinkedHashMap<>();
            collect(root, conds);
            return KeyCondition.bind(conds, Set.of(), hashKeyName, hashType, rangeKeyName, rangeType);
        }
    }

    /** Turns the conjunction into one comparison per attribute, refusing everything else as DynamoDB does. */
    private static void collect(Cond c, Map<String, RangeCondition> out) {
        if (c instanceof Ast.And a) {
            collect(a.left(), out);
            collect(a.right(), out);
            return;
        }
        if (c instanceof Ast.Or) throw invalidOperator("OR");
        if (c instanceof Ast.Not) throw invalidOperator("NOT");
        if (c instanceof Ast.In) throw invalidOperator("IN");
        if (c instanceof Ast.Exists e) throw invalidOperator(e.positive() ? "attribute_exists" : "attribute_not_exists");
        if (c instanceof Ast.TypeIs) throw invalidOperator("attribute_type");
        if (c instanceof Ast.Contains) throw invalidOperator("contains");
        Operand[] args;
        RangeOp op;
        if (c instanceof Ast.Compare cmp) {
            if (cmp.op() == Op.NE) throw invalidOperator("<>");
            args = new Operand[] {cmp.left(), cmp.right()};
            op = switch (cmp.op()) {
                case EQ -> RangeOp.EQ;
                case LT -> RangeOp.LT;
                case LE -> RangeOp.LE;
                case GT -> RangeOp.GT;
                default -> RangeOp.GE;
            };
        } else if (c instanceof Ast.Between b) {
            if (!(b.subject() instanceof Ast.PathOp)) {
                throw DynamoDbError.validation("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
            }
            args = new Operand[] {b.subject(), b.low(), b.high()};
            op = RangeOp.BETWEEN;
        } else {
            Ast.BeginsWith bw = (Ast.BeginsWith) c;
            if (!(bw.subject() instanceof Ast.PathOp)) {
                throw DynamoDbError.validation("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
            }
            args = new Operand[] {bw.subject(), bw.prefix()};
            op = RangeOp.BEGINS_WITH;
        }
        String name = null;
        int at = 0;
        AttributeValue[] values = new AttributeValue[args.length - 1];
        int nv = 0;
        for (int i = 0; i < args.length; i++) {
            Operand a = args[i];
            if (a instanceof Ast.SizeOp) throw DynamoDbError.validation("KeyConditionExpressions cannot contain nested operations");
            if (a instanceof Ast.PathOp p) {
                if (name != null) {
                    throw DynamoDbError.validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
                }
                if (p.path().size() > 1) throw DynamoDbError.validation("KeyConditionExpressions cannot have conditions on nested attributes");
                name = p.path().head();
                at = i;
            } else if (nv < values.length) {
                values[nv++] = ((Ast.ValueOp) a).value();
            }
        }
        if (name == null) throw DynamoDbError.validation("Invalid condition in KeyConditionExpression: No key attribute specified");
        if (out.containsKey(name)) throw DynamoDbError.validation("KeyConditionExpressions must only contain one condition per key");
        if (at != 0) op = flip(op);
        out.put(name, new RangeCondition(op, List.of(values)));
    }

    private static RangeOp flip(RangeOp op) {
        return switch (op) {
            case LT -> RangeOp.GT;
            case LE -> RangeOp.GE;
            case GT -> RangeOp.LT;
            case GE -> RangeOp.LE;
            default -> op;
        };
    }

    private static DynamoDbError invalidOperator(String op) {
        return DynamoDbError.validation("Invalid operator used in KeyConditionExpression: " + op);
    }

    /**
     * The schema checks common to expression and legacy key conditions, in DynamoDB's order. Legacy
     * KeyConditions may name operators no index can serve; those attributes are in {@code notIndexable}.
     */
    static KeyCondition bind(Map<String, RangeCondition> conds, Set<String> notIndexable, String hashKeyName, Type hashType,
            String rangeKeyName, Type rangeType) {
        if (conds.size() != 1 && conds.size() != 2) throw DynamoDbError.validation("Conditions can be of length 1 or 2 only");
        if (rangeKeyName == null && conds.size() > 1) throw DynamoDbError.validation("Query key condition not supported");
        RangeCondition hash = conds.get(hashKeyName);
        if (hash == null) throw DynamoDbError.validation("Query condition missed key schema element: " + hashKeyName);
        if (notIndexable.contains(hashKeyName)) throw notIndexable();
        checkType(hash, hashType);
        if (hash.op() != RangeOp.EQ) throw DynamoDbError.validation("Query key condition not supported");
        RangeCondition range = null;
        if (rangeKeyName != null) {
            range = conds.get(rangeKeyName);
            if (range == null && conds.size() > 1) throw DynamoDbError.validation("Query condition missed key schema element: " + rangeKeyName);
            if (range != null && notIndexable.contains(rangeKeyName)) throw notIndexable();
            if (range != null) checkType(range, rangeType);
        }
        return new KeyCondition(hashKeyName, hash.values().get(0), rangeKeyName, range);
    }

    private static DynamoDbError notIndexable() {
        return DynamoDbError.validation("Attempted conditional constraint is not an indexable operation");
    }

    private static void checkType(RangeCondition c, Type type) {
        if (type == null) return;
        for (AttributeValue v : c.values()) {
            if (v.type() != type) {
                throw DynamoDbError.validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
            }
        }
    }

    /**
     * Refuses a sort-key value of another type than the schema's, for an expression bound without
     * types (its other checks come first, in DynamoDB's order).
     */
    public void requireRangeType(Type rangeType) {
        if (range != null) checkType(range, rangeType);
    }

    public String hashKeyName() {
        return hashKeyName;
    }

    /** The partition key value the query reads. */
    public AttributeValue hashValue() {
        return hashValue;
    }

    /** The sort key's name, or null for a hash-only key. */
    public String rangeKeyName() {
        return rangeKeyName;
    }

    /** The sort-key condition, or null when the query reads the whole partition. */
    public RangeCondition range() {
        return range;
    }

    /** Whether an item's sort-key value is selected; always true without a sort-key condition. */
    public boolean matchesRange(AttributeValue rangeValue) {
        return range == null || range.test(rangeValue);
    }
}
