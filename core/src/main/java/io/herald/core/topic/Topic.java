package io.herald.core.topic;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Concrete topic names: dot-separated, non-empty segments, no wildcards.
 *
 * <p>A segment is made of the characters of an RFC 3986 path segment except {@code .} (the
 * separator) and {@code *} (wildcards are whole segments only), plus {@code |} (Auth0's
 * {@code auth0|abc123}): letters, digits and {@code - _ ~ ! $ & ' ( ) + , ; = : @ |}. Anything
 * else appears as {@code %XX}, the uppercase hex of each UTF-8 byte; a {@code %} is always the
 * start of such an escape. {@link #segment} builds a segment from any identifier (an OIDC
 * {@code sub}, a raffle id) and is one-to-one, so {@code users.{segment(sub)}} names exactly one
 * user: {@code auth0|abc123} stays as it is, Apple's {@code 001234.abc.0423} becomes
 * {@code 001234%2Eabc%2E0423}. Never {@code #} (the subscription table's shard separator),
 * {@code /}, {@code ?}, spaces, quotes or control characters.
 */
public final class Topic {
    /**
     * Room for {@code users.} and a 255-character {@code sub} with every character escaped, and for
     * the store's shard suffix ({@code #63}) within DynamoDB's 1,024-byte limit on an index's sort
     * key: a subscription's bucket is the topic plus that suffix.
     */
    public static final int MAX_LENGTH = 1020;
    public static final int MAX_SEGMENTS = 16;
    private static final String PUNCTUATION = "-_~!$&'()+,;=:@|";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Topic() {}

    /** Returns null when {@code topic} is a valid concrete topic, otherwise the reason it is not. */
    public static String problem(String topic) {
        String p = TopicPattern.shapeProblem(topic);
        if (p != null) return p;
        for (String s : split(topic)) {
            if (s.equals("*") || s.equals("**")) return "a topic cannot contain wildcards";
        }
        return null;
    }

    public static boolean isValid(String topic) {
        return problem(topic) == null;
    }

    /** One segment naming {@code id}, whatever characters it holds; the inverse of {@link #unescape}. */
    public static String segment(String id) {
        StringBuilder b = new StringBuilder(id.length());
        for (byte x : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (x >= 0 && validSegmentChar(c)) {
                b.append(c);
            } else {
                b.append('%').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
            }
        }
        return b.toString();
    }

    /** The identifier a segment built by {@link #segment} names. */
    public static String unescape(String segment) {
        if (segment.indexOf('%') < 0) return segment;
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length() && isHex(segment, i + 1) && isHex(segment, i + 2)) {
                out.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static List<String> split(String topic) {
        return List.of(topic.split("\\.", -1));
    }

    /** Characters that stand for themselves in a segment ({@code %} starts an escape). */
    static boolean validSegmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || PUNCTUATION.indexOf(c) >= 0;
    }

    /** Returns null when {@code s} (not a wildcard) is a valid segment, otherwise the reason. */
    static String segmentProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !isHex(s, i + 1) || !isHex(s, i + 2)) {
                    return "a topic segment has '%' without two uppercase hex digits after it (escapes are %XX)";
                }
                i += 2;
            } else if (!validSegmentChar(c)) {
                return "a topic segment has a character outside [A-Za-z0-9" + PUNCTUATION + "] (escape others as %XX)";
            }
        }
        return null;
    }

    private static boolean isHex(String s, int i) {
        char c = s.charAt(i);
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
