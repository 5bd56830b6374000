package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Lexer.Kind;
import io.herald.dynamodb.expr.Lexer.Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The grammars of condition, update and projection expressions, as syntax trees that still hold the
 * tokens as written. A packrat parser (ordered choice with backtracking, memoised) builds them; when no
 * parse exists, the error names the token at the furthest position any alternative reached, with the
 * tokens either side, as DynamoDB's {@code Syntax error; token: "x", near: "w x y"} does. Names, values,
 * functions and types are checked afterwards, on the tree, by the analysers.
 */
final class Syntax {
    static final int MAX_EXPRESSION_BYTES = 4096;
    private static final int MAX_NESTING = 400;

    private Syntax() {}

    // ---- trees ----

    sealed interface ROperand permits RPath, RValue, RFunc, RParenOp, RArith {}

    /** Path elements: NAME and ATTR_NAME tokens, and INT tokens for list indexes. */
    record RPath(List<Token> elements) implements ROperand {}

    record RValue(Token token) implements ROperand {}

    record RFunc(Token name, List<ROperand> args) implements ROperand {}

    record RParenOp(ROperand inner) implements ROperand {}

    /** {@code a + b} or {@code a - b} in an update's SET. */
    record RArith(ROperand left, boolean plus, ROperand right) implements ROperand {}

    sealed interface RCond permits ROr, RAnd, RNot, RParen, RCompare, RBetween, RIn, RFuncCond {}

    record ROr(RCond left, RCond right) implements RCond {}

    record RAnd(RCond left, RCond right) implements RCond {}

    record RNot(RCond inner) implements RCond {}

    record RParen(RCond inner) implements RCond {}

    record RCompare(Kind op, ROperand left, ROperand right) implements RCond {}

    record RBetween(ROperand subject, ROperand low, ROperand high) implements RCond {}

    record RIn(ROperand subject, List<ROperand> list) implements RCond {}

    record RFuncCond(RFunc function) implements RCond {}

    /** One update clause: its keyword in upper case and its actions. */
    record RClause(String keyword, List<RAction> actions) {}

    /** An update action: the target path and, except for REMOVE, the value operand. */
    record RAction(RPath path, ROperand value) {}

    // ---- entry points ----

    private static final Set<String> CONDITION_KEYWORDS = Set.of("AND", "OR", "NOT", "BETWEEN", "IN");
    private static final Set<String> UPDATE_KEYWORDS = Set.of("SET", "REMOVE", "ADD", "DELETE");

    static RCond parseCondition(String text, String exprName) {
        Parser p = new Parser(text, exprName, CONDITION_KEYWORDS);
        RCond c = p.or(0);
        if (c == null || !p.accept(Kind.EOF)) throw p.syntaxError();
        return c;
    }

    static List<RClause> parseUpdate(String text) {
        Parser p = new Parser(text, "UpdateExpression", UPDATE_KEYWORDS);
        List<RClause> clauses = new ArrayList<>();
        RClause c;
        while ((c = p.clause()) != null) clauses.add(c);
        if (clauses.isEmpty() || !p.accept(Kind.EOF)) throw p.syntaxError();
        return clauses;
    }

    static List<RPath> parseProjection(String text) {
        Parser p = new Parser(text, "ProjectionExpression", Set.of());
        List<RPath> paths = new ArrayList<>();
        RPath first = p.path();
        if (first == null) throw p.syntaxError();
        paths.add(first);
        while (true) {
            int save = p.pos;
            if (!p.accept(Kind.COMMA)) break;
            RPath next = p.path();
            if (next == null) {
                p.pos = save;
                break;
            }
            paths.add(next);
        }
        if (!p.accept(Kind.EOF)) throw p.syntaxError();
        return paths;
    }

    /** Refuses an empty or oversized expression, before any parsing. */
    static void checkText(String text, String exprName) {
        if (text.isBlank()) throw DynamoDbError.validation("Invalid " + exprName + ": The expression can not be empty;");
        if (text.length() > MAX_EXPRESSION_BYTES / 3) {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_EXPRESSION_BYTES) {
                throw DynamoDbError.validation("Invalid " + exprName
                        + ": Expression size has exceeded the maximum allowed size; expression size: " + bytes);
            }
        }
    }

    // ---- parser ----

    private static final class Parser {
        private static final Object FAILED = new Object();

        private final String text;
        private final String exprName;
        private final List<Token> toks;
        private final Set<String> keywords;
        private final Map<Long, Object[]> memo = new HashMap<>();
        int pos;
        private int maxFail;
        private int depth;

        Parser(String text, String exprName, Set<String> keywords) {
            this.text = text;
            this.exprName = exprName;
            this.toks = Lexer.lex(text);
            this.keywords = keywords;
        }

        private Token peek() {
            return toks.get(pos);
        }

        private void fail() {
            if (pos > maxFail) maxFail = pos;
        }

        boolean accept(Kind k) {
            if (toks.get(pos).kind() == k) {
                pos++;
                return true;
            }
            fail();
            return false;
        }

        private boolean acceptWord(String word) {
            if (toks.get(pos).isWord(word)) {
                pos++;
                return true;
            }
            fail();
            return false;
        }

        private boolean isKeyword(Token t) {
            return t.kind() == Kind.NAME && !keywords.isEmpty() && keywords.contains(t.text().toUpperCase(Locale.ROOT));
        }

        DynamoDbError syntaxError() {
            Token t = toks.get(maxFail);
            int from = maxFail > 0 ? toks.get(maxFail - 1).start() : t.start();
            int to;
            if (t.kind() == Kind.EOF) to = text.length();
            else if (toks.get(maxFail + 1).kind() != Kind.EOF) to = toks.get(maxFail + 1).end();
            else to = t.end();
            return DynamoDbError.validation("Invalid " + exprName + ": Syntax error; token: \"" + t.text()
                    + "\", near: \"" + text.substring(from, to) + "\"");
        }

        /** Memoised rule call: rule ids are small constants. */
        private interface Rule {
            Object run();
        }

        private Object memoized(int rule, Rule body) {
            long key = (long) pos * 8 + rule;
            Object[] m = memo.get(key);
            if (m != null) {
                pos = (Integer) m[1];
                return m[0] == FAILED ? null : m[0];
            }
            int start = pos;
            Object r;
            if (depth >= MAX_NESTING) {
                fail();
                r = null;
            } else {
                depth++;
                try {
                    r = body.run();
                } finally {
                    depth--;
                }
            }
            if (r == null) pos = start;
            memo.put(key, new Object[] {r == null ? FAILED : r, pos});
            return r;
        }

        // condition := and (OR and)*
        RCond or(int unused) {
            return (RCond) memoized(0, () -> {
                RCond left = and();
                if (left == null) return null;
                while (true) {
                    int save = pos;
                    if (!acceptWord("OR")) break;
                    RCond right = and();
                    if (right == null) {
                        pos = save;
                        break;
                    }
                    left = new ROr(left, right);
                }
                return left;
            });
        }

        private RCond and() {
            RCond left = not();
            if (left == null) return null;
            while (true) {
                int save = pos;
                if (!acceptWord("AND")) break;
                RCond right = not();
                if (right == null) {
                    pos = save;
                    break;
                }
                left = new RAnd(left, right);
            }
            return left;
        }

        private RCond not() {
            return (RCond) memoized(1, () -> {
                int save = pos;
                if (acceptWord("NOT")) {
                    RCond inner = not();
                    if (inner != null) return new RNot(inner);
                    pos = save;
                }
                return primary();
            });
        }

        private RCond primary() {
            int save = pos;
            if (accept(Kind.LPAREN)) {
                RCond inner = or(0);
                if (inner != null && accept(Kind.RPAREN)) return new RParen(inner);
                pos = save;
            }
            return leaf();
        }

        private RCond leaf() {
            int save = pos;
            ROperand left = operandP();
            if (left != null) {
                int afterLeft = pos;
                Kind k = peek().kind();
                if (k == Kind.EQ || k == Kind.NE || k == Kind.LT || k == Kind.LE || k == Kind.GT || k == Kind.GE) {
                    pos++;
                    ROperand right = operandP();
                    if (right != null) return new RCompare(k, left, right);
                    pos = afterLeft;
                } else {
                    fail();
                }
                if (acceptWord("BETWEEN")) {
                    ROperand low = operandP();
                    if (low != null && acceptWord("AND")) {
                        ROperand high = operandP();
                        if (high != null) return new RBetween(left, low, high);
                    }
                }
                pos = afterLeft;
                if (acceptWord("IN") && accept(Kind.LPAREN)) {
                    List<ROperand> list = operandList();
                    if (list != null && accept(Kind.RPAREN)) return new RIn(left, list);
                }
            }
            pos = save;
            RFunc f = function();
            if (f != null) return new RFuncCond(f);
            pos = save;
            return null;
        }

        /** operand (, operand)* */
        private List<ROperand> operandList() {
            ROperand first = operandP();
            if (first == null) return null;
            List<ROperand> list = new ArrayList<>();
            list.add(first);
            while (true) {
                int save = pos;
                if (!accept(Kind.COMMA)) break;
                ROperand next = operandP();
                if (next == null) {
                    pos = save;
                    break;
                }
                list.add(next);
            }
            return list;
        }

        /** operandP := '(' operandP ')' | operand */
        private ROperand operandP() {
            return (ROperand) memoized(2, () -> {
                int save = pos;
                if (accept(Kind.LPAREN)) {
                    ROperand inner = operandP();
                    if (inner != null && accept(Kind.RPAREN)) return new RParenOp(inner);
                    pos = save;
                }
                return operand();
            });
        }

        /** operand := function | :value | path */
        private ROperand operand() {
            RFunc f = function();
            if (f != null) return f;
            if (peek().kind() == Kind.ATTR_VALUE) return new RValue(toks.get(pos++));
            fail();
            return path();
        }

        private RFunc function() {
            return (RFunc) memoized(3, () -> {
                Token name = peek();
                if (name.kind() != Kind.NAME || isKeyword(name)) {
                    fail();
                    return null;
                }
                pos++;
                if (!accept(Kind.LPAREN)) return null;
                List<ROperand> args = operandList();
                if (args == null || !accept(Kind.RPAREN)) return null;
                return new RFunc(name, args);
            });
        }

        /** path := (NAME | #name) ('.' (NAME | #name) | '[' INT ']')* */
        RPath path() {
            Token head = peek();
            if (!(head.kind() == Kind.NAME && !isKeyword(head) || head.kind() == Kind.ATTR_NAME)) {
                fail();
                return null;
            }
            pos++;
            List<Token> elements = new ArrayList<>();
            elements.add(head);
            while (true) {
                int save = pos;
                if (accept(Kind.DOT)) {
                    Token t = peek();
                    if (t.kind() == Kind.NAME && !isKeyword(t) || t.kind() == Kind.ATTR_NAME) {
                        pos++;
                        elements.add(t);
                        continue;
                    }
                    fail();
                } else if (accept(Kind.LBRACKET)) {
                    Token t = peek();
                    if (t.kind() == Kind.INT && isIndex(t.text())) {
                        pos++;
                        if (accept(Kind.RBRACKET)) {
                            elements.add(t);
                            continue;
                        }
                    } else {
                        fail();
                    }
                }
                pos = save;
                break;
            }
            return new RPath(elements);
        }

        private static boolean isIndex(String digits) {
            String d = digits.replaceFirst("^0+(?=.)", "");
            return d.length() < 10 || d.length() == 10 && d.compareTo("2147483647") <= 0;
        }

        // ---- update ----

        RClause clause() {
            int save = pos;
            Token kw = peek();
            String keyword = kw.kind() == Kind.NAME ? kw.text().toUpperCase(Locale.ROOT) : "";
            if (!UPDATE_KEYWORDS.contains(keyword)) {
                fail();
                return null;
            }
            pos++;
            RAction first = action(keyword);
            if (first == null) {
                pos = save;
                return null;
            }
            List<RAction> actions = new ArrayList<>();
            actions.add(first);
            while (true) {
                int beforeComma = pos;
                if (!accept(Kind.COMMA)) break;
                RAction next = action(keyword);
                if (next == null) {
                    pos = beforeComma;
                    break;
                }
                actions.add(next);
            }
            return new RClause(keyword, actions);
        }

        private RAction action(String keyword) {
            RPath path = path();
            if (path == null) return null;
            switch (keyword) {
                case "SET" -> {
                    if (!accept(Kind.EQ)) return null;
                    ROperand value = setValueP();
                    return value == null ? null : new RAction(path, value);
                }
                case "REMOVE" -> {
                    return new RAction(path, null);
                }
                default -> {
                    if (peek().kind() == Kind.ATTR_VALUE) return new RAction(path, new RValue(toks.get(pos++)));
                    fail();
                    return null;
                }
            }
        }

        /** setValueP := setValue | '(' setValue ')' (so that {@code (a) + (b)} is a sum of operands) */
        private ROperand setValueP() {
            int save = pos;
            ROperand plain = setValue();
            if (plain != null) return plain;
            pos = save;
            if (accept(Kind.LPAREN)) {
                ROperand inner = setValue();
                if (inner != null && accept(Kind.RPAREN)) return new RParenOp(inner);
            }
            pos = save;
            return null;
        }

        /** setValue := operandP ('+' | '-') operandP | operandP */
        private ROperand setValue() {
            ROperand left = operandP();
            if (left == null) return null;
            int afterLeft = pos;
            Kind k = peek().kind();
            if (k == Kind.PLUS || k == Kind.MINUS) {
                pos++;
                ROperand right = operandP();
                if (right != null) return new RArith(left, k == Kind.PLUS, right);
                pos = afterLeft;
            } else {
                fail();
            }
            return left;
        }
    }
}
