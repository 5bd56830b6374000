package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.Lexer.Kind;
import io.herald.dynamodb.expr.Lexer.Token;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.Numbers;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Checks a syntax tree against DynamoDB's rules, as DynamoDB does after parsing: every problem is
 * recorded under its kind, the first of each kind kept, and the one reported is the first kind in the
 * expression type's order of precedence (so a reserved word wins over an undefined value, wherever
 * each appears).
 */
class Analyzer {
    final ExpressionContext ctx;
    final String exprName;
    private final String[] problems;
    private final int reservedKind, nameKind, valueKind;
    final Set<String> heads = new LinkedHashSet<>();
    final Set<String> nestedHeads = new LinkedHashSet<>();

    Analyzer(ExpressionContext ctx, String exprName, int kinds, int reservedKind, int nameKind, int valueKind) {
        this.ctx = ctx;
        this.exprName = exprName;
        this.problems = new String[kinds];
        this.reservedKind = reservedKind;
        this.nameKind = nameKind;
        this.valueKind = valueKind;
    }

    final void problem(int kind, String message) {
        if (problems[kind] == null) problems[kind] = message;
    }

    final String problem(int kind) {
        return problems[kind];
    }

    /** Throws the first recorded problem among {@code kinds}, in that order, if any. */
    final void throwFirst(int... kinds) {
        for (int k : kinds) {
            if (problems[k] != null) throw DynamoDbError.validation("Invalid " + exprName + ": " + problems[k]);
        }
    }

    /** Resolves a path; null (with a problem recorded) when a #name is undefined. */
    final Path path(Syntax.RPath raw) {
        int n = raw.elements().size();
        Object[] elements = new Object[n];
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            Token t = raw.elements().get(i);
            if (t.kind() == Kind.INT) {
                elements[i] = Integer.parseInt(t.text());
            } else if (t.kind() == Kind.ATTR_NAME) {
                String name = ctx.name(t.text());
                if (name == null) {
                    problem(nameKind, "An expression attribute name used in the document path is not defined; attribute name: " + t.text());
                    ok = false;
                }
                elements[i] = name;
            } else {
                if (ReservedWords.isReserved(t.text())) {
                    problem(reservedKind, "Attribute name is a reserved keyword; reserved keyword: " + t.text());
                }
                elements[i] = t.text();
            }
        }
        if (!ok) return null;
        heads.add((String) elements[0]);
        if (n > 1) nestedHeads.add((String) elements[0]);
        return new Path(elements);
    }

    /** Resolves a :value; null (with a problem recorded) when undefined. */
    final AttributeValue value(Syntax.RValue raw) {
        String ref = raw.token().text();
        AttributeValue v = ctx.value(ref);
        if (v == null) problem(valueKind, "An expression attribute value used in expression is not defined; attribute value: " + ref);
        return v;
    }

    /** A value as DynamoDB prints it inside messages: {@code {N:5}}. */
    static String describe(AttributeValue v) {
        return switch (v.type()) {
            case S -> "{S:" + v.s() + "}";
            case N -> "{N:" + Numbers.text(v.n()) + "}";
            case B -> "{B:" + Base64.getEncoder().encodeToString(v.b()) + "}";
            default -> v.toString();
        };
    }
}
