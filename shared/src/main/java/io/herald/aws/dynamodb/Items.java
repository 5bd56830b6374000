package io.herald.aws.dynamodb;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Attribute-value shorthands. */
final class Items {
    private Items() {}

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? fallback : Long.parseLong(v.n());
    }

    /** Items whose TTL has passed may linger for days before DynamoDB deletes them. */
    static boolean live(Map<String, AttributeValue> item, long nowEpochSeconds) {
        return num(item, DynamoDbSchema.TTL, Long.MAX_VALUE) > nowEpochSeconds;
    }
}
