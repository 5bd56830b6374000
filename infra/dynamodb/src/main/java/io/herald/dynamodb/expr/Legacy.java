package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Ast.Cond;
import io.herald.dynamodb.expr.Ast.Op;
import io.herald.dynamodb.expr.Ast.Operand;
import io.herald.dynamodb.expr.KeyCondition.RangeCondition;
import io.herald.dynamodb.expr.KeyCondition.RangeOp;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The legacy (pre-expression) request parameters, validated with DynamoDB's messages and converted to
 * the same objects expressions produce: Expected and QueryFilter / ScanFilter become a
 * {@link Condition}, KeyConditions a {@link KeyCondition}, AttributeUpdates an
 * {@link UpdateExpression}, AttributesToGet a {@link Projection}. Attribute names here are literal
 * top-level names (no paths, no reserved words). Maps are read in their iteration order, which decides
 * which problem is reported first.
 */
public final class Legacy {
    private static final String INVALID = "One or more parameter values were invalid: ";
    private static final List<String> OPERATORS = List.of("IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE",
            "LE", "BEGINS_WITH", "GE", "CONTAINS");

    private Legacy() {}

    /** One entry of Expected. A null field was absent from the request. */
    public record ExpectedValue(AttributeValue value, Boolean exists, String comparisonOperator, List<AttributeValue> attributeValueList) {}

    /** One entry of QueryFilter, ScanFilter or KeyConditions. A null list was absent from the request. */
    public record Filter(String comparisonOperator, List<AttributeValue> attributeValueList) {}

    /** One entry of AttributeUpdates; a null action is PUT. */
    public record AttributeUpdate(String action, AttributeValue value) {}

    // ---- Expected ----

    /** Expected, with ConditionalOperator (null, "AND" or "OR"). */
    public static Condition expected(Map<String, ExpectedValue> expected, String conditionalOperator) {
        Map<String, Cond> conds = new LinkedHashMap<>();
        for (Map.Entry<String, ExpectedValue> e : expected.entrySet()) {
            String attr = e.getKey();
            ExpectedValue x = e.getValue();
            if (x.attributeValueList() != null && x.value() != null) {
                throw DynamoDbError.validation(INVALID + "Value and AttributeValueList cannot be used together for Attribute: " + attr);
            }
            if (x.comparisonOperator() != null) {
                String op = operator(x.comparisonOperator(), "expected." + attr);
                if (x.exists() != null) {
                    throw DynamoDbError.validation(INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: " + attr);
                }
                if (!op.equals("NULL") && !op.equals("NOT_NULL") && x.attributeValueList() == null && x.value() == null) {
                    throw DynamoDbError.validation(INVALID + "Value or AttributeValueList must be used with ComparisonOperator: " + op
                            + " for Attribute: " + attr);
                }
                List<AttributeValue> values = x.attributeValueList() != null ? x.attributeValueList()
                        : x.value() != null ? List.of(x.value()) : List.of();
                checkArguments(op, values);
                conds.put(attr, condition(attr, op, values));
            } else if (x.attributeValueList() != null) {
                throw DynamoDbError.validation(INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + attr);
            } else {
                boolean exists = x.exists() == null || x.exists();
                if (exists && x.value() == null) {
                    throw DynamoDbError.validation(INVALID + "Value must be provided when Exists is " + (x.exists() == null ? "null" : "true")
                            + " for Attribute: " + attr);
                }
                if (!exists && x.value() != null) {
                    throw DynamoDbError.validation(INVALID + "Value cannot be used when Exists is false for Attribute: " + attr);
                }
                conds.put(attr, exists
                        ? new Ast.Compare(Op.EQ, new Ast.PathOp(Path.of(attr)), new Ast.ValueOp(x.value()))
                        : new Ast.Exists(Path.of(attr), false));
            }
        }
        return combine(conds, conditionalOperator);
    }

    // ---- QueryFilter / ScanFilter ----

    /**
     * QueryFilter or ScanFilter, with ConditionalOperator (null, "AND" or "OR"). {@code parameter} is
     * the request parameter's name, for messages about it.
     */
    public static Condition filter(Map<String, Filter> filter, String conditionalOperator, String parameter) {
        Map<String, Cond> conds = new LinkedHashMap<>();
        for (Map.Entry<String, Filter> e : filter.entrySet()) {
            String op = operator(e.getValue().comparisonOperator(), lowerFirst(parameter) + "." + e.getKey());
            List<AttributeValue> values = listOf(e.getValue());
            checkArguments(op, values);
            conds.put(e.getKey(), condition(e.getKey(), op, values));
        }
        return combine(conds, conditionalOperator);
    }

    // ---- KeyConditions ----

    /** KeyConditions, checked against the key schema; types may be null to skip the type check. */
    public static KeyCondition keyConditions(Map<String, Filter> keyConditions, String hashKeyName, Type hashType, String rangeKeyName,
            Type rangeType) {
        Map<String, RangeCondition> conds = new LinkedHashMap<>();
        Set<String> notIndexable = new HashSet<>();
        for (Map.Entry<String, Filter> e : keyConditions.entrySet()) {
            String op = operator(e.getValue().comparisonOperator(), "keyConditions." + e.getKey());
            List<AttributeValue> values = listOf(e.getValue());
            checkArguments(op, values);
            RangeOp r = switch (op) {
                case "EQ" -> RangeOp.EQ;
                case "LT" -> RangeOp.LT;
                case "LE" -> RangeOp.LE;
                case "GT" -> RangeOp.GT;
                case "GE" -> RangeOp.GE;
                case "BETWEEN" -> RangeOp.BETWEEN;
                case "BEGINS_WITH" -> RangeOp.BEGINS_WITH;
                default -> null;
            };
            if (r == null) {
                notIndexable.add(e.getKey());
                r = RangeOp.EQ;
            }
            conds.put(e.getKey(), new RangeCondition(r, values));
        }
        return KeyCondition.bind(conds, notIndexable, hashKeyName, hashType, rangeKeyName, rangeType);
    }

    // ---- AttributeUpdates ----

    public static UpdateExpression attributeUpdates(Map<String, AttributeUpdate> updates) {
        List<UpdateExpression.Action> actions = new ArrayList<>();
        for (Map.Entry<String, AttributeUpdate> e : updates.entrySet()) {
            String attr = e.getKey();
            String action = e.getValue().action() == null ? "PUT" : e.getValue().action();
            AttributeValue v = e.getValue().value();
            if (!action.equals("PUT") && !action.equals("ADD") && !action.equals("DELETE")) {
                throw DynamoDbError.validation("1 validation error detected: Value '" + action + "' at 'attributeUpdates." + attr
                        + ".member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
            }
            if (v == null && !action.equals("DELETE")) {
                throw DynamoDbError.validation(INVALID + "Only DELETE action is allowed when no attribute value is specified");
            }
            if (v != null && action.equals("DELETE") && !v.isSet()) {
                throw DynamoDbError.validation(INVALID + "DELETE action with value is not supported for the type " + v.type());
            }
            if (v != null && action.equals("ADD") && !v.isSet() && v.type() != Type.N && v.type() != Type.L) {
                throw DynamoDbError.validation(INVALID + "ADD action is not supported for the type " + v.type());
            }
            Path path = Path.of(attr);
            actions.add(switch (action) {
                case "PUT" -> new UpdateExpression.SetAction(path, new UpdateExpression.ConstValue(v));
                case "ADD" -> new LegacyAdd(path, v);
                default -> v == null ? new UpdateExpression.RemoveAction(path) : new LegacyDelete(path, v);
            });
        }
        return new UpdateExpression(actions);
    }

    private static final String TYPE_MISMATCH = "Type mismatch for attribute to update";

    /** ADD as AttributeUpdates does it: numbers add, sets unite, lists concatenate. */
    private record LegacyAdd(Path path, AttributeValue value) implements UpdateExpression.Action {
        @Override
        public void apply(Doc doc, AttributeValue computed) {
            AttributeValue existing = doc.get(path);
            if (existing == null) {
                doc.set(path, value);
                return;
            }
            if (existing.type() != value.type()) throw DynamoDbError.validation(TYPE_MISMATCH);
            if (value.type() == Type.N) {
                doc.set(path, UpdateExpression.add(existing, value, true));
            } else if (value.type() == Type.L) {
                List<AttributeValue> out = new ArrayList<>(existing.l());
                out.addAll(value.l());
                doc.set(path, AttributeValue.l(out));
            } else {
                doc.set(path, UpdateExpression.union(existing, value));
            }
        }
    }

    private record LegacyDelete(Path path, AttributeValue value) implements UpdateExpression.Action {
        @Override
        public void apply(Doc doc, AttributeValue computed) {
            AttributeValue existing = doc.get(path);
            if (existing == null) return;
            if (existing.type() != value.type()) throw DynamoDbError.validation(TYPE_MISMATCH);
            AttributeValue rest = UpdateExpression.difference(existing, value);
            if (rest == null) doc.remove(path);
            else doc.set(path, rest);
        }
    }

    // ---- AttributesToGet ----

    public static Projection attributesToGet(List<String> names) {
        Set<String> seen = new HashSet<>();
        List<Path> paths = new ArrayList<>(names.size());
        for (String name : names) {
            if (!seen.add(name)) throw DynamoDbError.validation(INVALID + "Duplicate value in attribute name: " + name);
            paths.add(Path.of(name));
        }
        return new Projection(paths);
    }

    // ---- shared ----

    private static String operator(String op, String where) {
        if (op == null || !OPERATORS.contains(op)) {
            throw DynamoDbError.validation("1 validation error detected: Value " + (op == null ? "null" : "'" + op + "'") + " at '" + where
                    + ".member.comparisonOperator' failed to satisfy constraint: "
                    + (op == null ? "Member must not be null" : "Member must satisfy enum value set: " + OPERATORS));
        }
        return op;
    }

    private static List<AttributeValue> listOf(Filter f) {
        return f.attributeValueList() == null ? List.of() : f.attributeValueList();
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** The argument checks of a ComparisonOperator, in DynamoDB's order. */
    private static void checkArguments(String op, List<AttributeValue> values) {
        int n = values.size();
        boolean countOk = switch (op) {
            case "NULL", "NOT_NULL" -> n == 0;
            case "IN" -> n >= 1;
            case "BETWEEN" -> n == 2;
            default -> n == 1;
        };
        if (!countOk) throw DynamoDbError.validation(INVALID + "Invalid number of argument(s) for the " + op + " ComparisonOperator");
        for (AttributeValue v : values) {
            if (v.type() != values.get(0).type()) {
                throw DynamoDbError.validation(INVALID + "AttributeValues inside AttributeValueList must be of same type");
            }
        }
        for (AttributeValue v : values) {
            if (!typeAllowed(op, v.type())) {
                throw DynamoDbError.validation(INVALID + "ComparisonOperator " + op + " is not valid for " + v.type() + " AttributeValue type");
            }
        }
        if (op.equals("BETWEEN") && values.get(0).compareTo(values.get(1)) > 0) {
            throw DynamoDbError.validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
        }
    }

    private static boolean typeAllowed(String op, Type t) {
        boolean scalar = t == Type.S || t == Type.N || t == Type.B;
        return switch (op) {
            case "EQ", "NE" -> scalar || t == Type.SS || t == Type.NS || t == Type.BS;
            case "BEGINS_WITH" -> t == Type.S || t == Type.B;
            default -> scalar;
        };
    }

    private static Cond condition(String attr, String op, List<AttributeValue> values) {
        Path path = Path.of(attr);
        Operand subject = new Ast.PathOp(path);
        return switch (op) {
            case "EQ" -> new Ast.Compare(Op.EQ, subject, new Ast.ValueOp(values.get(0)));
            case "NE" -> new Ast.Compare(Op.NE, subject, new Ast.ValueOp(values.get(0)));
            case "LT" -> new Ast.Compare(Op.LT, subject, new Ast.ValueOp(values.get(0)));
            case "LE" -> new Ast.Compare(Op.LE, subject, new Ast.ValueOp(values.get(0)));
            case "GT" -> new Ast.Compare(Op.GT, subject, new Ast.ValueOp(values.get(0)));
            case "GE" -> new Ast.Compare(Op.GE, subject, new Ast.ValueOp(values.get(0)));
            case "NOT_NULL" -> new Ast.Exists(path, true);
            case "NULL" -> new Ast.Exists(path, false);
            case "CONTAINS" -> new Ast.Contains(subject, new Ast.ValueOp(values.get(0)));
            case "NOT_CONTAINS" -> new Ast.Not(new Ast.Contains(subject, new Ast.ValueOp(values.get(0))));
            case "BEGINS_WITH" -> new Ast.BeginsWith(subject, new Ast.ValueOp(values.get(0)));
            case "IN" -> new Ast.In(subject, values.stream().<Operand>map(Ast.ValueOp::new).toList());
            default -> new Ast.Between(subject, new Ast.ValueOp(values.get(0)), new Ast.ValueOp(values.get(1)));
        };
    }

    private static Condition combine(Map<String, Cond> conds, String conditionalOperator) {
        boolean or = "OR".equals(conditionalOperator);
        Cond root = null;
        for (Cond c : conds.values()) root = root == null ? c : or ? new Ast.Or(root, c) : new Ast.And(root, c);
        if (root == null) root = new Ast.Const(true);
        return new Condition(root, new LinkedHashSet<>(conds.keySet()), new LinkedHashSet<>());
    }
}
