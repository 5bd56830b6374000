package io.herald.core.topic;

import java.util.ArrayList;
import java.util.List;

/**
 * A subscription pattern: literal segments, {@code *} for exactly one segment, and a trailing
 * {@code **} for one or more segments (the topics document's wildcard rules).
 *
 * <p>The literal prefix (segments before the first wildcard) is what subscriptions are indexed
 * by, so a publication finds wildcard subscribers with one Query per prefix of its topic.
 */
public final class TopicPattern {
    private final String text;
    private final String[] segments;
    private final int literalCount;

    private TopicPattern(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
        int n = 0;
        while (n < segments.length && !isWildcard(segments[n])) n++;
        this.literalCount = n;
    }

    /** Parses a pattern; throws {@link IllegalArgumentException} with a client-readable reason. */
    public static TopicPattern parse(String text) {
        String p = shapeProblem(text);
        if (p != null) throw new IllegalArgumentException(p);
        String[] segs = text.split("\\.", -1);
        for (int i = 0; i < segs.length; i++) {
            if (segs[i].equals("**") && i != segs.length - 1) {
                throw new IllegalArgumentException("'**' is only allowed as the last segment");
            }
        }
        return new TopicPattern(text, segs);
    }

    /** Checks length, segment count and characters; shared by topics and patterns. */
    static String shapeProblem(String text) {
        if (text == null || text.isEmpty()) return "topic is required";
        if (text.length() > Topic.MAX_LENGTH) return "topic is longer than " + Topic.MAX_LENGTH + " characters";
        String[] segs = text.split("\\.", -1);
        if (segs.length > Topic.MAX_SEGMENTS) return "topic has more than " + Topic.MAX_SEGMENTS + " segments";
        for (String s : segs) {
            if (s.isEmpty()) return "topic has an empty segment";
            if (isWildcard(s)) continue;
            String p = Topic.segmentProblem(s);
            if (p != null) return p;
        }
        return null;
    }

    private static boolean isWildcard(String s) {
        return s.equals("*") || s.equals("**");
    }

    public boolean isExact() {
        return literalCount == segments.length;
    }

    /** The segments before the first wildcard, joined with dots ("" when the pattern starts with one). */
    public String literalPrefix() {
        return String.join(".", List.of(segments).subList(0, literalCount));
    }

    /** The segments from the first wildcard on, joined with dots ("" for an exact pattern). */
    public String wildcardTail() {
        return String.join(".", List.of(segments).subList(literalCount, segments.length));
    }

    /** The pattern made of a literal prefix and a wildcard tail, the inverse of the two methods above. */
    public static TopicPattern join(String literalPrefix, String wildcardTail) {
        if (literalPrefix.isEmpty()) return parse(wildcardTail);
        return parse(wildcardTail.isEmpty() ? literalPrefix : literalPrefix + "." + wildcardTail);
    }

    public boolean matches(String topic) {
        String[] t = topic.split("\\.", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals("**")) return t.length > i; // one or more remaining segments
            if (i >= t.length) return false;
            if (!s.equals("*") && !s.equals(t[i])) return false;
        }
        return t.length == segments.length;
    }

    /**
     * The literal prefixes under which a wildcard pattern able to match {@code topic} is indexed:
     * a pattern whose first wildcard follows k literal segments needs at least k+1 segments, so
     * k runs from 0 to n-1 for an n-segment topic.
     */
    public static List<String> wildcardPrefixesFor(String topic) {
        String[] t = topic.split("\\.", -1);
        List<String> out = new ArrayList<>(t.length);
        StringBuilder b = new StringBuilder();
        out.add("");
        for (int k = 1; k < t.length; k++) {
            if (k > 1) b.append('.');
            b.append(t[k - 1]);
            out.add(b.toString());
        }
        return out;
    }

    public List<String> segments() {
        return List.of(segments);
    }

    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicPattern other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
