package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Ast.Cond;
import io.herald.dynamodb.expr.Ast.Op;
import io.herald.dynamodb.expr.Ast.Operand;
import io.herald.dynamodb.expr.Lexer.Kind;
import io.herald.dynamodb.expr.Syntax.RAnd;
import io.herald.dynamodb.expr.Syntax.RBetween;
import io.herald.dynamodb.expr.Syntax.RCompare;
import io.herald.dynamodb.expr.Syntax.RCond;
import io.herald.dynamodb.expr.Syntax.RFunc;
import io.herald.dynamodb.expr.Syntax.RFuncCond;
import io.herald.dynamodb.expr.Syntax.RIn;
import io.herald.dynamodb.expr.Syntax.RNot;
import io.herald.dynamodb.expr.Syntax.ROperand;
import io.herald.dynamodb.expr.Syntax.ROr;
import io.herald.dynamodb.expr.Syntax.RParen;
import io.herald.dynamodb.expr.Syntax.RParenOp;
import io.herald.dynamodb.expr.Syntax.RPath;
import io.herald.dynamodb.expr.Syntax.RValue;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed condition or filter expression (ConditionExpression, FilterExpression), or a legacy
 * Expected / QueryFilter / ScanFilter converted by {@link Legacy}. Immutable; {@link #test} may be
 * called for many items, from any thread.
 */
public final class Condition {
    static final int MAX_IN_OPERANDS = 100;
    static final int MAX_OPERATORS = 300;

    private final Cond root;
    private final Set<String> topLevelNames;
    private final Set<String> nestedTopLevelNames;

    Condition(Cond root, Set<String> topLevelNames, Set<String> nestedTopLevelNames) {
        this.root = root;
        this.topLevelNames = Collections.unmodifiableSet(topLevelNames);
        this.nestedTopLevelNames = Collections.unmodifiableSet(nestedTopLevelNames);
    }

    /**
     * Parses and checks an expression. {@code expressionName} is the request parameter it came from
     * ("ConditionExpression", "FilterExpression"); it prefixes every error message.
     */
    public static Condition parse(String text, String expressionName, ExpressionContext ctx) {
        ConditionAnalyzer a = analyze(text, expressionName, ctx);
        return new Condition(a.root, a.heads, a.nestedHeads);
    }

    static ConditionAnalyzer analyze(String text, String expressionName, ExpressionContext ctx) {
        Syntax.checkText(text, expressionName);
        RCond raw = Syntax.parseCondition(text, expressionName);
        int operators = countOperators(raw);
        if (operators > MAX_OPERATORS) {
            throw DynamoDbError.validation("Invalid " + expressionName + ": The expression contains too many operators; operator count: " + operators);
        }
        ConditionAnalyzer a = new ConditionAnalyzer(ctx, expressionName);
        a.root = a.cond(raw);
        a.misusedSize(raw);
        a.finish();
        return a;
    }

    /** Whether the item satisfies the condition; a null item is an absent one (nothing exists). */
    public boolean test(Map<String, AttributeValue> item) {
        return root.test(item == null ? Map.of() : item);
    }

    /** The top-level attribute names the expression reads. */
    public Set<String> topLevelNames() {
        return topLevelNames;
    }

    /** The top-level names the expression descends into ({@code a.b}, {@code a[0]}). */
    public Set<String> nestedTopLevelNames() {
        return nestedTopLevelNames;
    }

    Cond root() {
        return root;
    }

    private static int countOperators(RCond c) {
        if (c instanceof ROr o) return 1 + countOperators(o.left()) + countOperators(o.right());
        if (c instanceof RAnd o) return 1 + countOperators(o.left()) + countOperators(o.right());
        if (c instanceof RNot o) return 1 + countOperators(o.inner());
        if (c instanceof RParen o) return countOperators(o.inner());
        if (c instanceof RCompare o) return 1 + countOperators(o.left()) + countOperators(o.right());
        if (c instanceof RBetween o) return 1 + countOperators(o.subject()) + countOperators(o.low()) + countOperators(o.high());
        if (c instanceof RIn o) {
            int n = 1 + countOperators(o.subject());
            for (ROperand x : o.list()) n += countOperators(x);
            return n;
        }
        return countOperators(((RFuncCond) c).function());
    }

    private static int countOperators(ROperand o) {
        if (o instanceof RParenOp p) return countOperators(p.inner());
        if (o instanceof RFunc f) {
            int n = 1;
            for (ROperand x : f.args()) n += countOperators(x);
            return n;
        }
        return 0;
    }

    /** The checks of condition grammar (shared by KeyConditionExpression). */
    static final class ConditionAnalyzer extends Analyzer {
        static final int PARENS = 0, UNKNOWN_FUNCTION = 1, MISUSED = 2, RESERVED = 3, CONDITION = 4;
        static final int NAME_VALUE = 5, OPERANDS = 6, DISTINCT = 7, FUNCTION = 8;
        private static final Set<String> FUNCTIONS = Set.of("attribute_exists", "attribute_not_exists", "attribute_type",
                "begins_with", "contains", "size");

        Cond root;

        ConditionAnalyzer(ExpressionContext ctx, String exprName) {
            super(ctx, exprName, 9, RESERVED, NAME_VALUE, NAME_VALUE);
        }

        void finish() {
            throwFirst(PARENS, UNKNOWN_FUNCTION, MISUSED, RESERVED, CONDITION);
        }

        /** Each single condition closes with the first of its operand, name and function problems. */
        private void checkpoint() {
            if (problem(CONDITION) != null) return;
            for (int k = NAME_VALUE; k <= FUNCTION; k++) {
                if (problem(k) != null) {
                    problem(CONDITION, problem(k));
                    return;
                }
            }
        }

        Cond cond(RCond c) {
            if (c instanceof ROr o) return new Ast.Or(cond(o.left()), cond(o.right()));
            if (c instanceof RAnd o) return new Ast.And(cond(o.left()), cond(o.right()));
            if (c instanceof RNot o) return new Ast.Not(cond(o.inner()));
            if (c instanceof RParen p) {
                if (p.inner() instanceof RParen) redundant();
                return cond(p.inner());
            }
            if (c instanceof RCompare o) {
                Operand l = operand(o.left()), r = operand(o.right());
                Op op = op(o.op());
                misused(List.of(o.left(), o.right()));
                distinct(op.symbol, o.left(), l, o.right(), r);
                checkpoint();
                return new Ast.Compare(op, l, r);
            }
            if (c instanceof RBetween o) {
                Operand x = operand(o.subject()), lo = operand(o.low()), hi = operand(o.high());
                misused(List.of(o.subject(), o.low(), o.high()));
                betweenBounds(lo, hi);
                checkpoint();
                return new Ast.Between(x, lo, hi);
            }
            if (c instanceof RIn o) {
                Operand x = operand(o.subject());
                List<Operand> list = new ArrayList<>(o.list().size());
                for (ROperand e : o.list()) list.add(operand(e));
                List<ROperand> all = new ArrayList<>(o.list());
                all.add(0, o.subject());
                misused(all);
                if (list.size() > MAX_IN_OPERANDS) {
                    problem(OPERANDS, "The IN operator is provided with too many operands; number of operands: " + list.size());
                }
                checkpoint();
                return new Ast.In(x, Collections.unmodifiableList(list));
            }
            Cond result = function(((RFuncCond) c).function());
            checkpoint();
            return result;
        }

        private void redundant() {
            problem(PARENS, "The expression has redundant parentheses;");
        }

        private static Op op(Kind k) {
            return switch (k) {
                case EQ -> Op.EQ;
                case NE -> Op.NE;
                case LT -> Op.LT;
                case LE -> Op.LE;
                case GT -> Op.GT;
                default -> Op.GE;
            };
        }

        /** {@code size(x)} alone, as a whole condition, is a misuse. */
        void misusedSize(RCond c) {
            if (c instanceof ROr o) {
                misusedSize(o.left());
                misusedSize(o.right());
            } else if (c instanceof RAnd o) {
                misusedSize(o.left());
                misusedSize(o.right());
            } else if (c instanceof RNot o) {
                misusedSize(o.inner());
            } else if (c instanceof RParen p) {
                misusedSize(p.inner());
            } else if (c instanceof RFuncCond f && f.function().name().text().equals("size")) {
                problem(MISUSED, "The function is not allowed to be used this way in an expression; function: size");
            }
        }

        private static ROperand unwrap(ROperand o) {
            while (o instanceof RParenOp p) o = p.inner();
            return o;
        }

        /** Only size() may stand where a value is expected. */
        private void misused(List<ROperand> args) {
            for (ROperand a : args) {
                if (unwrap(a) instanceof RFunc f && !f.name().text().equals("size") && FUNCTIONS.contains(f.name().text())) {
                    problem(MISUSED, "The function is not allowed to be used this way in an expression; function: " + f.name().text());
                    return;
                }
            }
        }

        private void distinct(String operator, ROperand rawLeft, Operand left, ROperand rawRight, Operand right) {
            if (unwrap(rawLeft) instanceof RPath && unwrap(rawRight) instanceof RPath
                    && left instanceof Ast.PathOp l && right instanceof Ast.PathOp r
                    && l.path() != null && l.path().equals(r.path())) {
                problem(DISTINCT, "The first operand must be distinct from the remaining operands for this operator or function; operator: "
                        + operator + ", first operand: " + l.path());
            }
        }

        private void betweenBounds(Operand lo, Operand hi) {
            if (!(lo instanceof Ast.ValueOp l) || !(hi instanceof Ast.ValueOp h) || l.value() == null || h.value() == null) return;
            AttributeValue a = l.value(), b = h.value();
            String bounds = "lower bound operand: AttributeValue: " + describe(a) + ", upper bound operand: AttributeValue: " + describe(b);
            if (a.type() != b.type()) {
                problem(FUNCTION, "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
            } else if (Ast.orderable(a, b) && a.compareTo(b) > 0) {
                problem(FUNCTION, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds);
            }
        }

        /** An operand; null when it cannot be evaluated (a problem is then recorded). */
        Operand operand(ROperand o) {
            if (o instanceof RParenOp p) {
                redundant();
                return operand(p.inner());
            }
            if (o instanceof RPath p) return new Ast.PathOp(path(p));
            if (o instanceof RValue v) return new Ast.ValueOp(value(v));
            if (o instanceof RFunc f) {
                List<Operand> args = functionArgs(f);
                if (!f.name().text().equals("size")) return null;
                return args.size() == 1 ? new Ast.SizeOp(args.get(0)) : null;
            }
            throw new IllegalStateException("not a condition operand: " + o);
        }

        /** Analyses a function's arguments and checks its name, arity and operand types. */
        private List<Operand> functionArgs(RFunc f) {
            String name = f.name().text();
            List<Operand> args = new ArrayList<>(f.args().size());
            for (ROperand a : f.args()) args.add(operand(a));
            misused(f.args());
            if (!FUNCTIONS.contains(name)) {
                problem(UNKNOWN_FUNCTION, "Invalid function name; function: " + name);
                return args;
            }
            int expected = switch (name) {
                case "attribute_exists", "attribute_not_exists", "size" -> 1;
                default -> 2;
            };
            if (args.size() != expected) {
                problem(OPERANDS, "Incorrect number of operands for operator or function; operator or function: " + name
                        + ", number of operands: " + args.size());
                return args;
            }
            if (expected == 2) distinct(name, f.args().get(0), args.get(0), f.args().get(1), args.get(1));
            switch (name) {
                case "attribute_exists", "attribute_not_exists" -> {
                    if (!(unwrap(f.args().get(0)) instanceof RPath)) {
                        problem(FUNCTION, "Operator or function requires a document path; operator or function: " + name);
                    }
                }
                case "begins_with" -> {
                    for (Operand a : args) {
                        String t = typeOf(a);
                        if (t != null && !t.equals("S") && !t.equals("B")) {
                            problem(FUNCTION, "Incorrect operand type for operator or function; operator or function: " + name
                                    + ", operand type: " + t);
                            break;
                        }
                    }
                }
                case "attribute_type" -> {
                    String t = typeOf(args.get(1));
                    if (!"S".equals(t)) {
                        if (t == null) t = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";
                        problem(FUNCTION, "Incorrect operand type for operator or function; operator or function: " + name
                                + ", operand type: " + t);
                    } else if (typeNamed(((Ast.ValueOp) args.get(1)).value().s()) == null) {
                        problem(FUNCTION, "Invalid attribute type name found; type: " + ((Ast.ValueOp) args.get(1)).value().s()
                                + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
                    }
                }
                case "size" -> {
                    String t = typeOf(args.get(0));
                    if ("N".equals(t) || "BOOL".equals(t) || "NULL".equals(t)) {
                        problem(FUNCTION, "Incorrect operand type for operator or function; operator or function: " + name
                                + ", operand type: " + t);
                    }
                }
                default -> {}
            }
            return args;
        }

        /** The type an operand is known to have before evaluation: a value's, or N for size(). */
        private static String typeOf(Operand o) {
            if (o instanceof Ast.ValueOp v && v.value() != null) return v.value().type().name();
            if (o instanceof Ast.SizeOp) return "N";
            return null;
        }

        static Type typeNamed(String name) {
            for (Type t : Type.values()) {
                if (t.name().equals(name)) return t;
            }
            return null;
        }

        private Cond function(RFunc f) {
            String name = f.name().text();
            List<Operand> args = functionArgs(f);
            if (!FUNCTIONS.contains(name) || args.size() != arity(name)) return null;
            return switch (name) {
                case "attribute_exists", "attribute_not_exists" -> args.get(0) instanceof Ast.PathOp p && p.path() != null
                        ? new Ast.Exists(p.path(), name.equals("attribute_exists"))
                        : null;
                case "attribute_type" -> {
                    Type t = args.get(1) instanceof Ast.ValueOp v && v.value() != null && v.value().type() == Type.S
                            ? typeNamed(v.value().s())
                            : null;
                    yield t == null ? null : new Ast.TypeIs(args.get(0), t);
                }
                case "begins_with" -> new Ast.BeginsWith(args.get(0), args.get(1));
                case "contains" -> new Ast.Contains(args.get(0), args.get(1));
                default -> null; // size: a misuse, reported by misusedSize
            };
        }

        private static int arity(String name) {
            return switch (name) {
                case "attribute_exists", "attribute_not_exists", "size" -> 1;
                default -> 2;
            };
        }
    }
}
