package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.storage.KeySchema;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** The pre-expression parameters (Expected, AttributeUpdates, AttributesToGet, KeyConditions, Query/ScanFilter). */
final class LegacyParams {
    private LegacyParams() {}

    private static DynamoDbError unsupported(String p) {
        return DynamoDbError.validation(p + " is not supported yet");
    }

    static Predicate<Map<String, AttributeValue>> expected(JsonNode req) {
        throw unsupported("Expected");
    }

    static UnaryOperator<Map<String, AttributeValue>> attributeUpdates(JsonNode req) {
        throw unsupported("AttributeUpdates");
    }

    static Set<String> attributeUpdateNames(JsonNode req) {
        throw unsupported("AttributeUpdates");
    }

    static UnaryOperator<Map<String, AttributeValue>> attributesToGet(JsonNode req) {
        throw unsupported("AttributesToGet");
    }

    static ReadOps.KeyRange keyConditions(JsonNode req, KeySchema key) {
        throw unsupported("KeyConditions");
    }

    static Predicate<Map<String, AttributeValue>> filter(JsonNode req, String param) {
        throw unsupported(param);
    }
}
