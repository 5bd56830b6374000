package io.herald.dynamodb.storage;

import io.herald.dynamodb.model.AttributeValue;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Items ordered as DynamoDB reads them: partitions by a stable hash of the partition key (so a
 * Scan's order and its parallel segments are fixed), items inside a partition by sort key. A
 * secondary index breaks ties between equal index keys by the table's primary key. Not thread-safe:
 * {@link Table} guards it.
 */
public final class SortedIndex {
    private final KeySchema key;
    private final KeySchema tableKey; // null for the table itself
    private final TreeMap<PartitionKey, TreeMap<Row, Map<String, AttributeValue>>> partitions = new TreeMap<>();
    private long count;

    public SortedIndex(KeySchema key, KeySchema tableKey) {
        this.key = key;
        this.tableKey = tableKey;
    }

    public KeySchema key() {
        return key;
    }

    public long count() {
        return count;
    }

    /** Adds or replaces; the item must carry this index's key. */
    public void put(Map<String, AttributeValue> item) {
        TreeMap<Row, Map<String, AttributeValue>> p = partitions.computeIfAbsent(PartitionKey.of(item.get(key.hash())), k -> new TreeMap<>());
        if (p.put(row(item), item) == null) count++;
    }

    public void remove(Map<String, AttributeValue> item) {
        PartitionKey pk = PartitionKey.of(item.get(key.hash()));
        TreeMap<Row, Map<String, AttributeValue>> p = partitions.get(pk);
        if (p == null) return;
        if (p.remove(row(item)) != null) count--;
        if (p.isEmpty()) partitions.remove(pk);
    }

    public Map<String, AttributeValue> get(AttributeValue hash, AttributeValue range) {
        TreeMap<Row, Map<String, AttributeValue>> p = partitions.get(PartitionKey.of(hash));
        return p == null ? null : p.get(new Row(range, null, null));
    }

    public Row row(Map<String, AttributeValue> item) {
        AttributeValue r = key.range() == null ? null : item.get(key.range());
        if (tableKey == null) return new Row(r, null, null);
        return new Row(r, item.get(tableKey.hash()), tableKey.range() == null ? null : item.get(tableKey.range()));
    }

    /** The items of one partition in sort-key order (descending when asked). */
    public NavigableMap<Row, Map<String, AttributeValue>> partition(AttributeValue hash, boolean forward) {
        TreeMap<Row, Map<String, AttributeValue>> p = partitions.get(PartitionKey.of(hash));
        if (p == null) return Collections.emptyNavigableMap();
        return forward ? p : p.descendingMap();
    }

    /** All partitions in scan order, starting after {@code after} (exclusive) when given. */
    public NavigableMap<PartitionKey, TreeMap<Row, Map<String, AttributeValue>>> partitionsFrom(PartitionKey from, boolean inclusive) {
        return from == null ? partitions : partitions.tailMap(from, inclusive);
    }

    public Iterator<Map<String, AttributeValue>> all() {
        return partitions.values().stream().flatMap(p -> p.values().stream()).iterator();
    }

    public void clear() {
        partitions.clear();
        count = 0;
    }

    /** A partition key with the stable hash that orders partitions and assigns Scan segments. */
    public record PartitionKey(long hash, AttributeValue value) implements Comparable<PartitionKey> {
        public static PartitionKey of(AttributeValue v) {
            return new PartitionKey(stableHash(v), v);
        }

        @Override
        public int compareTo(PartitionKey o) {
            int c = Long.compareUnsigned(hash, o.hash);
            if (c != 0) return c;
            if (value.type() != o.value.type()) return value.type().compareTo(o.value.type());
            return value.compareTo(o.value);
        }

        /** The parallel Scan segment this partition falls in: hash ranges of equal width. */
        public int segment(int totalSegments) {
            return (int) Math.floor((hash >>> 11) / (double) (1L << 53) * totalSegments);
        }

        static long stableHash(AttributeValue v) {
            byte[] bytes = switch (v.type()) {
                case S -> v.s().getBytes(StandardCharsets.UTF_8);
                case N -> v.nText().getBytes(StandardCharsets.US_ASCII);
                case B -> v.b();
                default -> throw new IllegalArgumentException("not a key type: " + v.type());
            };
            long h = 0xcbf29ce484222325L ^ v.type().ordinal();
            for (byte b : bytes) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
            // finalizer so neighbouring keys spread over the whole range (segments stay balanced)
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            h ^= h >>> 33;
            return h;
        }
    }

    /** Position inside a partition: sort key, then (for secondary indexes) the table's key. Nulls first. */
    public record Row(AttributeValue range, AttributeValue tableHash, AttributeValue tableRange) implements Comparable<Row> {
        @Override
        public int compareTo(Row o) {
            int c = cmp(range, o.range);
            if (c != 0) return c;
            c = cmp(tableHash, o.tableHash);
            if (c != 0) return c;
            return cmp(tableRange, o.tableRange);
        }

        private static int cmp(AttributeValue a, AttributeValue b) {
            if (a == b) return 0;
            if (a == null) return -1;
            if (b == null) return 1;
            if (a.type() != b.type()) return a.type().compareTo(b.type());
            return a.compareTo(b);
        }
    }
}
