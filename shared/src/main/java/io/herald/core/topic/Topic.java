package io.herald.core.topic;

import java.util.List;

/** Validation of concrete topic names: dot-separated, non-empty segments, no wildcards. */
public final class Topic {
    public static final int MAX_LENGTH = 256;
    public static final int MAX_SEGMENTS = 16;

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

    static List<String> split(String topic) {
        return List.of(topic.split("\\.", -1));
    }

    static boolean validSegmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == ':' || c == '@' || c == '+' || c == '=';
    }
}
