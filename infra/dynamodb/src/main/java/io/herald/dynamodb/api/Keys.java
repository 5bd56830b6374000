package io.herald.dynamodb.api;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import io.herald.dynamodb.storage.IndexDef;
import io.herald.dynamodb.storage.KeySchema;
import io.herald.dynamodb.storage.Table;
import java.util.Map;

/** Checks of keys and items against a table's schema, in DynamoDB's words. */
final class Keys {
    private static final String INVALID = "One or more parameter values were invalid: ";
    /** DynamoDB's limits on key values: 2,048 bytes for a partition key, 1,024 for a sort key. */
    static final int MAX_HASH_BYTES = 2048, MAX_RANGE_BYTES = 1024;

    private Keys() {}

    /** A Key parameter: exactly the table's key attributes, of their types, not empty. */
    static Map<String, AttributeValue> key(Table t, Map<String, AttributeValue> key) {
        KeySchema k = t.key;
        int expected = k.hasRange() ? 2 : 1;
        AttributeValue h = key.get(k.hash());
        AttributeValue r = k.hasRange() ? key.get(k.range()) : null;
        if (key.size() != expected || h == null || h.type() != k.hashType() || k.hasRange() && (r == null || r.type() != k.rangeType())) {
            throw DynamoDbError.validation("The provided key element does not match the schema");
        }
        notEmpty(k.hash(), h);
        if (r != null) notEmpty(k.range(), r);
        keySizes(h, r);
        return key;
    }

    private static void keySizes(AttributeValue hash, AttributeValue range) {
        // AWS's own wording, missing space included
        if (ItemSize.of(hash) > MAX_HASH_BYTES) throw DynamoDbError.validation(INVALID + "Size of hashkey has exceeded the maximum size limit of" + MAX_HASH_BYTES + " bytes");
        if (range != null && ItemSize.of(range) > MAX_RANGE_BYTES) {
            throw DynamoDbError.validation(INVALID + "Aggregated size of all range keys has exceeded the size limit of " + MAX_RANGE_BYTES + " bytes");
        }
    }

    /** A key value may not be an empty string or binary, in an item, a key or a Query's partition value. */
    static void notEmpty(String name, AttributeValue v) {
        if (v.type() == AttributeValue.Type.S && v.s().isEmpty()) {
            throw DynamoDbError.validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: " + name);
        }
        if (v.type() == AttributeValue.Type.B && v.b().length == 0) {
            throw DynamoDbError.validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: " + name);
        }
    }

    /** An item to store: the key attributes present and typed, index keys typed, size within 400 KB. */
    static void item(Table t, Map<String, AttributeValue> item) {
        KeySchema k = t.key;
        keyAttribute(k.hash(), k.hashType(), item.get(k.hash()));
        if (k.hasRange()) keyAttribute(k.range(), k.rangeType(), item.get(k.range()));
        keySizes(item.get(k.hash()), k.hasRange() ? item.get(k.range()) : null);
        for (IndexDef d : t.indexes.values()) {
            indexAttribute(d, d.key().hash(), d.key().hashType(), item.get(d.key().hash()), MAX_HASH_BYTES);
            if (d.key().hasRange()) indexAttribute(d, d.key().range(), d.key().rangeType(), item.get(d.key().range()), MAX_RANGE_BYTES);
        }
        size(item);
    }

    static void size(Map<String, AttributeValue> item) {
        // an update can build deeper documents than any one value a client sent
        for (AttributeValue v : item.values()) {
            if (io.herald.dynamodb.model.AttributeJson.depth(v) > io.herald.dynamodb.model.AttributeJson.MAX_DEPTH) {
                throw DynamoDbError.validation("Nesting Levels have exceeded supported limits");
            }
        }
        if (ItemSize.of(item) > ItemSize.MAX_ITEM_BYTES) throw DynamoDbError.validation("Item size has exceeded the maximum allowed size");
    }

    private static void keyAttribute(String name, AttributeValue.Type type, AttributeValue v) {
        if (v == null) throw DynamoDbError.validation(INVALID + "Missing the key " + name + " in the item");
        if (v.type() != type) throw DynamoDbError.validation(INVALID + "Type mismatch for key " + name + " expected: " + type + " actual: " + v.type());
        notEmpty(name, v);
    }

    private static void indexAttribute(IndexDef d, String name, AttributeValue.Type type, AttributeValue v, int maxBytes) {
        if (v == null) return;
        if (v.type() != type) {
            throw DynamoDbError.validation(INVALID + "Type mismatch for Index Key " + name + " Expected: " + type + " Actual: " + v.type() + " IndexName: " + d.name());
        }
        if (type == AttributeValue.Type.S && v.s().isEmpty() || type == AttributeValue.Type.B && v.b().length == 0) {
            throw DynamoDbError.validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty "
                    + (type == AttributeValue.Type.S ? "string" : "binary") + " value. IndexName: " + d.name() + ", IndexKey: " + name);
        }
        long size = ItemSize.of(v);
        if (size > maxBytes) {
            throw DynamoDbError.validation(INVALID + "Size limit exceeded for Index Key " + name + " Actual Size: " + size + " bytes Max Size: " + maxBytes
                    + " bytes IndexName: " + d.name());
        }
    }
}
