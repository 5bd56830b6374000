package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Syntax.RAction;
import io.herald.dynamodb.expr.Syntax.RArith;
import io.herald.dynamodb.expr.Syntax.RClause;
import io.herald.dynamodb.expr.Syntax.RFunc;
import io.herald.dynamodb.expr.Syntax.ROperand;
import io.herald.dynamodb.expr.Syntax.RParenOp;
import io.herald.dynamodb.expr.Syntax.RPath;
import io.herald.dynamodb.expr.Syntax.RValue;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import io.herald.dynamodb.model.Numbers;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed UpdateExpression (or legacy AttributeUpdates, see {@link Legacy}). Immutable; {@link #apply}
 * builds the updated item from a copy and leaves its argument untouched.
 *
 * <p>As in DynamoDB, every SET value is computed from the item as it was before the update, then the
 * actions are applied; list indexes name positions in the original lists.
 */
public final class UpdateExpression {
    static final String BAD_OPERAND = "An operand in the update expression has an incorrect data type";
    static final String MISSING_OPERAND = "The provided expression refers to an attribute that does not exist in the item";

    private final List<Action> actions;
    private final Set<String> topLevelNames;
    private final Set<String> nestedTopLevelNames;
    private final List<Path> paths;

    UpdateExpression(List<Action> actions) {
        this.actions = List.copyOf(actions);
        Set<String> top = new LinkedHashSet<>(), nested = new LinkedHashSet<>();
        List<Path> ps = new ArrayList<>();
        for (Action a : actions) {
            ps.add(a.path());
            top.add(a.path().head());
            if (a.path().size() > 1) nested.add(a.path().head());
        }
        this.topLevelNames = Collections.unmodifiableSet(top);
        this.nestedTopLevelNames = Collections.unmodifiableSet(nested);
        this.paths = List.copyOf(ps);
    }

    public static UpdateExpression parse(String text, ExpressionContext ctx) {
        Syntax.checkText(text, "UpdateExpression");
        List<RClause> clauses = Syntax.parseUpdate(text);
        UpdateAnalyzer a = new UpdateAnalyzer(ctx);
        List<Action> actions = a.analyze(clauses);
        a.throwFirst(UpdateAnalyzer.RESERVED, UpdateAnalyzer.UNKNOWN_FUNCTION, UpdateAnalyzer.SECTION, UpdateAnalyzer.ATTR_NAME,
                UpdateAnalyzer.ATTR_VALUE, UpdateAnalyzer.OVERLAP, UpdateAnalyzer.CONFLICT, UpdateAnalyzer.OPERAND, UpdateAnalyzer.FUNCTION);
        return new UpdateExpression(actions);
    }

    /**
     * The item after the update; {@code item} is the stored item, or null when there is none (the
     * update then creates one from nothing: the caller adds the key attributes).
     */
    public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> before = item == null ? Map.of() : item;
        AttributeValue[] computed = new AttributeValue[actions.size()];
        for (int i = 0; i < actions.size(); i++) computed[i] = actions.get(i).compute(before);
        Doc doc = new Doc(before);
        for (int i = 0; i < actions.size(); i++) actions.get(i).apply(doc, computed[i]);
        return doc.item();
    }

    /**
     * True when every action only takes something away (REMOVE, DELETE from a set). DynamoDB does
     * not create a missing item for such an update; an update with no actions at all does.
     */
    public boolean onlyRemoves() {
        return !actions.isEmpty() && actions.stream().allMatch(a -> a instanceof RemoveAction || a instanceof DeleteAction);
    }

    /** The top-level attributes the update writes or removes. */
    public Set<String> topLevelNames() {
        return topLevelNames;
    }

    /** The top-level attributes the update reaches into ({@code a.b}, {@code a[0]}). */
    public Set<String> nestedTopLevelNames() {
        return nestedTopLevelNames;
    }

    /** The paths the update writes or removes, in order; for ReturnValues UPDATED_OLD / UPDATED_NEW. */
    public List<Path> paths() {
        return paths;
    }

    /** A projection of the updated paths, to cut ReturnValues UPDATED_OLD / UPDATED_NEW from an item. */
    public Projection updatedAttributes() {
        return new Projection(paths);
    }

    // ---- actions ----

    /** One action: {@code compute} reads the original item, {@code apply} writes the document. */
    interface Action {
        Path path();

        default AttributeValue compute(Map<String, AttributeValue> before) {
            return null;
        }

        void apply(Doc doc, AttributeValue computed);
    }

    record SetAction(Path path, Value value) implements Action {
        @Override
        public AttributeValue compute(Map<String, AttributeValue> before) {
            return value.eval(before);
        }

        @Override
        public void apply(Doc doc, AttributeValue computed) {
            doc.set(path, computed);
        }
    }

    record RemoveAction(Path path) implements Action {
        @Override
        public void apply(Doc doc, AttributeValue computed) {
            doc.remove(path);
        }
    }

    record AddAction(Path path, AttributeValue value) implements Action {
        @Override
        public void apply(Doc doc, AttributeValue computed) {
            AttributeValue existing = doc.get(path);
            if (existing == null) {
                doc.set(path, value);
            } else if (existing.type() != value.type()) {
                throw DynamoDbError.validation(BAD_OPERAND);
            } else if (value.type() == Type.N) {
                doc.set(path, add(existing, value, true));
            } else {
                doc.set(path, union(existing, value));
            }
        }
    }

    record DeleteAction(Path path, AttributeValue value) implements Action {
        @Override
        public void apply(Doc doc, AttributeValue computed) {
            AttributeValue existing = doc.get(path);
            if (existing == null) return;
            if (existing.type() != value.type()) throw DynamoDbError.validation(BAD_OPERAND);
            AttributeValue rest = difference(existing, value);
            if (rest == null) doc.remove(path);
            else doc.set(path, rest);
        }
    }

    static AttributeValue add(AttributeValue a, AttributeValue b, boolean plus) {
        BigDecimal r = plus ? a.n().add(b.n()) : a.n().subtract(b.n());
        try {
            return AttributeValue.n(Numbers.checkArithmetic(r));
        } catch (NumberFormatException e) {
            throw DynamoDbError.validation(e.getMessage());
        }
    }

    static AttributeValue union(AttributeValue a, AttributeValue b) {
        List<AttributeValue> members = a.setMembers();
        members.addAll(b.setMembers());
        return AttributeValue.setOf(a.type(), members);
    }

    /** The members of set {@code a} not in {@code b}; null when none remain. */
    static AttributeValue difference(AttributeValue a, AttributeValue b) {
        Set<AttributeValue> drop = new HashSet<>(b.setMembers());
        List<AttributeValue> keep = new ArrayList<>();
        for (AttributeValue m : a.setMembers()) if (!drop.contains(m)) keep.add(m);
        return AttributeValue.setOf(a.type(), keep);
    }

    // ---- SET values ----

    interface Value {
        AttributeValue eval(Map<String, AttributeValue> item);
    }

    record ConstValue(AttributeValue value) implements Value {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            return value;
        }
    }

    record PathValue(Path path) implements Value {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            AttributeValue v = path.resolve(item);
            if (v == null) throw DynamoDbError.validation(MISSING_OPERAND);
            return v;
        }
    }

    record ArithValue(Value left, boolean plus, Value right) implements Value {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            AttributeValue a = left.eval(item);
            if (a.type() != Type.N) throw DynamoDbError.validation(BAD_OPERAND);
            AttributeValue b = right.eval(item);
            if (b.type() != Type.N) throw DynamoDbError.validation(BAD_OPERAND);
            return add(a, b, plus);
        }
    }

    record IfNotExists(Path path, Value fallback) implements Value {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            AttributeValue v = path.resolve(item);
            return v != null ? v : fallback.eval(item);
        }
    }

    record ListAppend(Value left, Value right) implements Value {
        @Override
        public AttributeValue eval(Map<String, AttributeValue> item) {
            AttributeValue a = left.eval(item);
            if (a.type() != Type.L) throw DynamoDbError.validation(BAD_OPERAND);
            AttributeValue b = right.eval(item);
            if (b.type() != Type.L) throw DynamoDbError.validation(BAD_OPERAND);
            List<AttributeValue> out = new ArrayList<>(a.l().size() + b.l().size());
            out.addAll(a.l());
            out.addAll(b.l());
            return AttributeValue.l(out);
        }
    }

    // ---- checks ----

    private static final class UpdateAnalyzer extends Analyzer {
        static final int RESERVED = 0, UNKNOWN_FUNCTION = 1, SECTION = 2, ATTR_NAME = 3, ATTR_VALUE = 4,
                OVERLAP = 5, CONFLICT = 6, OPERAND = 7, FUNCTION = 8;

        private final Set<String> sections = new HashSet<>();
        private final List<Path> targets = new ArrayList<>();

        UpdateAnalyzer(ExpressionContext ctx) {
            super(ctx, "UpdateExpression", 9, RESERVED, ATTR_NAME, ATTR_VALUE);
        }

        List<Action> analyze(List<RClause> clauses) {
            List<Action> actions = new ArrayList<>();
            for (RClause c : clauses) {
                for (RAction ra : c.actions()) {
                    Path p = path(ra.path());
                    Action action = switch (c.keyword()) {
                        case "SET" -> new SetAction(p, setValue(ra.value()));
                        case "REMOVE" -> new RemoveAction(p);
                        default -> {
                            AttributeValue v = value((RValue) ra.value());
                            checkOperator(c.keyword(), v);
                            yield c.keyword().equals("ADD") ? new AddAction(p, v) : new DeleteAction(p, v);
                        }
                    };
                    target(p);
                    actions.add(action);
                }
                if (!sections.add(c.keyword())) {
                    problem(SECTION, "The \"" + c.keyword() + "\" section can only be used once in an update expression;");
                }
            }
            return actions;
        }

        /** Refuses a path that overlaps or conflicts with an earlier one. */
        private void target(Path p) {
            if (p == null) return;
            if (problem(OVERLAP) == null) {
                for (Path q : targets) {
                    int n = Math.min(p.size(), q.size());
                    boolean diverge = false;
                    for (int i = 0; i < n && !diverge; i++) {
                        if (p.isIndex(i) != q.isIndex(i)) {
                            problem(CONFLICT, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
                                    + q + ", path two: " + p);
                            diverge = true;
                        } else if (!p.elements().get(i).equals(q.elements().get(i))) {
                            diverge = true;
                        }
                    }
                    if (!diverge) {
                        problem(OVERLAP, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                                + q + ", path two: " + p);
                        break;
                    }
                }
            }
            targets.add(p);
        }

        private void checkOperator(String operator, AttributeValue v) {
            if (v == null) return;
            String name = switch (v.type()) {
                case S -> "STRING";
                case N -> operator.equals("ADD") ? null : "NUMBER";
                case B -> "BINARY";
                case NULL -> "NULL";
                case BOOL -> "BOOLEAN";
                case L -> "LIST";
                case M -> "MAP";
                default -> null;
            };
            if (name != null) {
                problem(OPERAND, "Incorrect operand type for operator or function; operator: " + operator + ", operand type: " + name);
            }
        }

        private Value setValue(ROperand o) {
            if (o instanceof RParenOp p) return setValue(p.inner());
            if (o instanceof RPath p) {
                Path path = path(p);
                return path == null ? null : new PathValue(path);
            }
            if (o instanceof RValue v) {
                AttributeValue av = value(v);
                return av == null ? null : new ConstValue(av);
            }
            if (o instanceof RArith a) {
                Value l = setValue(a.left()), r = setValue(a.right());
                String op = a.plus() ? "+" : "-";
                checkType(op, l, Type.N);
                checkType(op, r, Type.N);
                return l == null || r == null ? null : new ArithValue(l, a.plus(), r);
            }
            RFunc f = (RFunc) o;
            String name = f.name().text();
            List<Value> args = new ArrayList<>(f.args().size());
            for (ROperand x : f.args()) args.add(setValue(x));
            if (!name.equals("if_not_exists") && !name.equals("list_append")) {
                problem(UNKNOWN_FUNCTION, "Invalid function name; function: " + name);
                return null;
            }
            if (args.size() != 2) {
                problem(FUNCTION, "Incorrect number of operands for operator or function; operator or function: " + name
                        + ", number of operands: " + args.size());
                return null;
            }
            if (name.equals("if_not_exists")) {
                if (!(unwrap(f.args().get(0)) instanceof RPath)) {
                    problem(FUNCTION, "Operator or function requires a document path; operator or function: " + name);
                    return null;
                }
                return args.get(0) == null || args.get(1) == null ? null : new IfNotExists(((PathValue) args.get(0)).path(), args.get(1));
            }
            checkType(name, args.get(0), Type.L);
            checkType(name, args.get(1), Type.L);
            return args.get(0) == null || args.get(1) == null ? null : new ListAppend(args.get(0), args.get(1));
        }

        private static ROperand unwrap(ROperand o) {
            while (o instanceof RParenOp p) o = p.inner();
            return o;
        }

        /** A constant operand of the wrong type is refused before the update runs. */
        private void checkType(String function, Value v, Type expected) {
            if (v instanceof ConstValue c && c.value().type() != expected) {
                problem(FUNCTION, "Incorrect operand type for operator or function; operator or function: " + function
                        + ", operand type: " + c.value().type());
            }
        }
    }
}
