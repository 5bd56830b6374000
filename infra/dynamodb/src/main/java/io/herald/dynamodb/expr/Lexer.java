package io.herald.dynamodb.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an expression into tokens. Never fails: a character that starts no token becomes a one-character
 * {@link Kind#OTHER} token, which the parser then reports as DynamoDB does ({@code token: "!"}).
 */
final class Lexer {
    enum Kind {
        NAME, ATTR_NAME, ATTR_VALUE, INT,
        LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, DOT,
        EQ, NE, LT, LE, GT, GE, PLUS, MINUS,
        OTHER, EOF
    }

    record Token(Kind kind, String text, int start, int end) {
        boolean isWord(String word) {
            return kind == Kind.NAME && text.equalsIgnoreCase(word);
        }
    }

    private Lexer() {}

    static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
                continue;
            }
            int start = i;
            Kind kind;
            if (isNameStart(c)) {
                i++;
                while (i < n && isNamePart(s.charAt(i))) i++;
                kind = Kind.NAME;
            } else if (c >= '0' && c <= '9') {
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
                kind = Kind.INT;
            } else if ((c == '#' || c == ':') && i + 1 < n && isNamePart(s.charAt(i + 1))) {
                i++;
                while (i < n && isNamePart(s.charAt(i))) i++;
                kind = c == '#' ? Kind.ATTR_NAME : Kind.ATTR_VALUE;
            } else {
                i++;
                kind = switch (c) {
                    case '(' -> Kind.LPAREN;
                    case ')' -> Kind.RPAREN;
                    case '[' -> Kind.LBRACKET;
                    case ']' -> Kind.RBRACKET;
                    case ',' -> Kind.COMMA;
                    case '.' -> Kind.DOT;
                    case '=' -> Kind.EQ;
                    case '+' -> Kind.PLUS;
                    case '-' -> Kind.MINUS;
                    case '<' -> {
                        if (i < n && s.charAt(i) == '=') { i++; yield Kind.LE; }
                        if (i < n && s.charAt(i) == '>') { i++; yield Kind.NE; }
                        yield Kind.LT;
                    }
                    case '>' -> {
                        if (i < n && s.charAt(i) == '=') { i++; yield Kind.GE; }
                        yield Kind.GT;
                    }
                    default -> {
                        if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(s.charAt(i))) i++;
                        yield Kind.OTHER;
                    }
                };
            }
            out.add(new Token(kind, s.substring(start, i), start, i));
        }
        out.add(new Token(Kind.EOF, "<EOF>", n, n));
        return out;
    }

    private static boolean isNameStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || c >= '0' && c <= '9';
    }
}
