package io.herald.dynamodb.storage;

import io.herald.dynamodb.model.AttributeValue;
import java.util.LinkedHashMap;
import java.util.Map;

/** A table's or index's key: hash attribute, optional range attribute, and their scalar types. */
public record KeySchema(String hash, AttributeValue.Type hashType, String range, AttributeValue.Type rangeType) {
    public boolean hasRange() {
        return range != null;
    }

    public boolean isKey(String attribute) {
        return attribute.equals(hash) || attribute.equals(range);
    }

    /** The key attributes of an item (those it has). */
    public Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> k = new LinkedHashMap<>(2);
        AttributeValue h = item.get(hash);
        if (h != null) k.put(hash, h);
        if (range != null) {
            AttributeValue r = item.get(range);
            if (r != null) k.put(range, r);
        }
        return k;
    }

    /** Whether the item has this schema's key attributes with the declared types (else it is not in the index). */
    public boolean indexes(Map<String, AttributeValue> item) {
        AttributeValue h = item.get(hash);
        if (h == null || h.type() != hashType) return false;
        if (range == null) return true;
        AttributeValue r = item.get(range);
        return r != null && r.type() == rangeType;
    }
}
