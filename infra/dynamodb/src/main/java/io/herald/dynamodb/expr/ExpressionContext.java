package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ExpressionAttributeNames and ExpressionAttributeValues of one request, shared by all of its
 * expressions. Parsing an expression resolves {@code #name} and {@code :value} references here and
 * records them as used; once every expression of the request is parsed, {@link #checkUnused()} refuses
 * the request if any entry was never referenced, as DynamoDB does.
 */
public final class ExpressionContext {
    private static final Pattern NAME_KEY = Pattern.compile("#[0-9a-zA-Z_]+");
    private static final Pattern VALUE_KEY = Pattern.compile(":[0-9a-zA-Z_]+");

    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Set<String> usedNames = new LinkedHashSet<>();
    private final Set<String> usedValues = new LinkedHashSet<>();

    /**
     * Validates the maps as DynamoDB does: neither may be empty when present, and every key must be
     * {@code #} or {@code :} followed by letters, digits or underscores. Either map may be null.
     */
    public ExpressionContext(Map<String, String> names, Map<String, AttributeValue> values) {
        if (names != null) {
            if (names.isEmpty()) throw DynamoDbError.validation("ExpressionAttributeNames must not be empty");
            for (String key : names.keySet()) {
                if (key == null || !NAME_KEY.matcher(key).matches()) {
                    throw DynamoDbError.validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
                }
                String name = names.get(key);
                if (name == null || name.isEmpty()) throw DynamoDbError.validation("ExpressionAttributeNames contains invalid value: Empty attribute name for key " + key);
                AttributeJson.checkName(name);
            }
        }
        if (values != null) {
            if (values.isEmpty()) throw DynamoDbError.validation("ExpressionAttributeValues must not be empty");
            for (String key : values.keySet()) {
                if (key == null || !VALUE_KEY.matcher(key).matches()) {
                    throw DynamoDbError.validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
                }
            }
        }
        this.names = names == null ? Map.of() : names;
        this.values = values == null ? Map.of() : values;
    }

    /** A context with no names and no values (for legacy parameters, or expressions without references). */
    public static ExpressionContext empty() {
        return new ExpressionContext(null, null);
    }

    /** The attribute name {@code #ref} stands for, marking it used; null when undefined. */
    String name(String ref) {
        String n = names.get(ref);
        if (n != null) usedNames.add(ref);
        return n;
    }

    /** The value {@code :ref} stands for, marking it used; null when undefined. */
    AttributeValue value(String ref) {
        AttributeValue v = values.get(ref);
        if (v != null) usedValues.add(ref);
        return v;
    }

    /**
     * Refuses the request if an ExpressionAttributeNames or ExpressionAttributeValues entry was not
     * used by any expression parsed with this context. Names are checked first, as DynamoDB does.
     */
    public void checkUnused() {
        String unusedNames = unused(names.keySet(), usedNames);
        if (unusedNames != null) {
            throw DynamoDbError.validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + unusedNames + "}");
        }
        String unusedValues = unused(values.keySet(), usedValues);
        if (unusedValues != null) {
            throw DynamoDbError.validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + unusedValues + "}");
        }
    }

    private static String unused(Set<String> all, Set<String> used) {
        StringBuilder sb = null;
        for (String k : all) {
            if (used.contains(k)) continue;
            if (sb == null) sb = new StringBuilder();
            else sb.append(", ");
            sb.append(k);
        }
        return sb == null ? null : sb.toString();
    }
}
