package io.herald.dynamodb.storage;

import java.util.List;

/**
 * A secondary index: its key, what it projects, and (for a GSI) its own throughput. A GSI created by
 * UpdateTable starts CREATING and becomes ACTIVE once backfilled, which here is immediate.
 */
public record IndexDef(String name, boolean global, KeySchema key, String projectionType, List<String> nonKeyAttributes,
        long readCapacity, long writeCapacity, String status) {
    /** Whether the index keeps attribute {@code name} of an item in a table keyed by {@code tableKey}. */
    public boolean projects(KeySchema tableKey, String name) {
        return projectionType.equals("ALL") || tableKey.isKey(name) || key.isKey(name) || nonKeyAttributes != null && nonKeyAttributes.contains(name);
    }

    public IndexDef withStatus(String s) {
        return new IndexDef(name, global, key, projectionType, nonKeyAttributes, readCapacity, writeCapacity, s);
    }

    public IndexDef withThroughput(long read, long write) {
        return new IndexDef(name, global, key, projectionType, nonKeyAttributes, read, write, status);
    }
}
