package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.dynamodb.DynamoDbError;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The request-shape checks AWS runs before anything else, collected and reported together in its
 * wording: "2 validation errors detected: Value 'X' at 'returnValues' failed to satisfy
 * constraint: Member must satisfy enum value set: [...]; Value ...".
 */
final class Violations {
    static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    private final List<String> errors = new ArrayList<>();

    void add(String value, String path, String constraint) {
        raw("Value " + value + " at '" + path + "' failed to satisfy constraint: Member must " + constraint);
    }

    /** One violation in its full wording, for the few AWS phrases that do not follow the usual pattern. */
    void raw(String message) {
        if (errors.size() < 10) errors.add(message);
    }

    static String quoted(JsonNode v) {
        if (v == null || v.isNull()) return "null";
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(x.isValueNode() ? x.asText() : io.herald.dynamodb.model.JsonTrees.text(x)));
            return "'[" + String.join(", ", parts) + "]'";
        }
        return "'" + (v.isValueNode() ? v.asText() : io.herald.dynamodb.model.JsonTrees.text(v)) + "'";
    }

    /** A table name: required, then its length, then (only if the length is fine) its characters. */
    void tableName(JsonNode v, String path, int min) {
        if (v == null || v.isNull()) {
            add("null", path, "not be null");
            return;
        }
        String s = v.asText();
        if (s.length() < min) add(quoted(v), path, "have length greater than or equal to " + min);
        else if (s.length() > 255) add(quoted(v), path, "have length less than or equal to 255");
        else if (!TABLE_NAME.matcher(s).matches()) add(quoted(v), path, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }

    void indexName(JsonNode v, String path) {
        if (v == null || v.isNull()) return;
        String s = v.asText();
        if (s.length() < 3) add(quoted(v), path, "have length greater than or equal to 3");
        else if (s.length() > 255) add(quoted(v), path, "have length less than or equal to 255");
        else if (!TABLE_NAME.matcher(s).matches()) add(quoted(v), path, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }

    void notNull(JsonNode v, String path) {
        if (v == null || v.isNull()) add("null", path, "not be null");
    }

    void oneOf(JsonNode v, String path, String... allowed) {
        if (v == null || v.isNull()) return;
        for (String a : allowed) if (a.equals(v.asText())) return;
        add(quoted(v), path, "satisfy enum value set: [" + String.join(", ", allowed) + "]");
    }

    void atLeast(JsonNode v, String path, long min) {
        if (v == null || v.isNull()) return;
        if (v.asLong() < min) add(quoted(v), path, "have value greater than or equal to " + min);
    }

    void atMost(JsonNode v, String path, long max) {
        if (v == null || v.isNull()) return;
        if (v.asLong() > max) add(quoted(v), path, "have value less than or equal to " + max);
    }

    void sizeAtLeast(JsonNode v, String path, int min) {
        if (v == null || v.isNull()) return;
        if (v.size() < min) add(quoted(v), path, "have length greater than or equal to " + min);
    }

    void sizeAtMost(JsonNode v, String path, int max, boolean showValue) {
        if (v == null || v.isNull()) return;
        if (v.size() > max) {
            if (errors.size() < 10) {
                errors.add("Value " + (showValue ? quoted(v) + " " : "") + "at '" + path + "' failed to satisfy constraint: Member must have length less than or equal to " + max);
            }
        }
    }

    void lengthBetween(JsonNode v, String path, int min, int max) {
        if (v == null || v.isNull()) return;
        String s = v.asText();
        if (s.length() < min) add(quoted(v), path, "have length greater than or equal to " + min);
        else if (s.length() > max) add(quoted(v), path, "have length less than or equal to " + max);
    }

    boolean any() {
        return !errors.isEmpty();
    }

    void throwIfAny() {
        if (errors.isEmpty()) return;
        int n = errors.size();
        throw DynamoDbError.validation(n + " validation error" + (n > 1 ? "s" : "") + " detected: " + String.join("; ", errors));
    }

    static final String[] RETURN_CAPACITY = {"INDEXES", "TOTAL", "NONE"};
    static final String[] RETURN_METRICS = {"SIZE", "NONE"};
    static final String[] RETURN_VALUES = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
    static final String[] SELECT = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"};
    static final String[] ON_CONDITION_FAILURE = {"ALL_OLD", "NONE"};
}
