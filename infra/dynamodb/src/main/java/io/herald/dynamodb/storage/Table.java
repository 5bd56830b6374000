package io.herald.dynamodb.storage;

import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One table: its definition (mutable only under the write lock) and its items with every secondary
 * index kept in step. Reads take the read lock, writes the write lock; a transaction takes the
 * write locks of all its tables in name order, which is what makes conditional writes atomic.
 */
public final class Table {
    public final String name;
    public final String arn;
    public final String id;
    public final double created;
    public final KeySchema key;
    public final Map<String, AttributeValue.Type> attributes;
    /**
     * Secondary indexes by name. Replaced, never modified, under the write lock, so readers outside
     * the lock (request checks, capacity) always see a whole definition.
     */
    public volatile Map<String, IndexDef> indexes = Map.of();
    /** Set under the write lock when the table is deleted; a writer that locked it afterwards must not write. */
    public volatile boolean dropped;
    public String billingMode;
    public long readCapacity;
    public long writeCapacity;
    public String status = "ACTIVE";
    public boolean deletionProtection;
    public String ttlAttribute;
    public boolean ttlEnabled;
    /**
     * Items by TTL value (epoch seconds), for the TTL attribute in force: the sweeper reads only the
     * expired head instead of scanning the table under its lock.
     */
    private final java.util.TreeMap<Long, java.util.Set<Map<String, AttributeValue>>> byExpiry = new java.util.TreeMap<>();
    public final Map<String, String> tags = new LinkedHashMap<>();
    /** The current stream, or null when streams are off. */
    public StreamLog stream;
    /** Every stream this table has had, newest last (a disabled stream stays readable for a day). */
    public final List<StreamLog> streams = new ArrayList<>();

    /**
     * Replay of a later definition of the same table: the streams replayed so far, with their
     * records, stay; a stream this definition no longer has is closed, a new one is added.
     */
    /** Replay: a stream of this table closed before the snapshot, in creation order before the current one. */
    void addClosedStream(StreamLog s) {
        if (streams.contains(s)) return;
        int i = 0;
        while (i < streams.size() && streams.get(i).createdMillis < s.createdMillis) i++;
        streams.add(i, s);
    }

    void carryStreamsFrom(Table old) {
        StreamLog current = stream;
        streams.clear();
        streams.addAll(old.streams);
        if (old.stream != null && current != null && old.stream.arn.equals(current.arn)) {
            stream = old.stream;
            return;
        }
        if (old.stream != null) old.stream.close();
        if (current != null) streams.add(current);
    }
    /** When the billing mode last changed, for DescribeTable's BillingModeSummary. */
    public double billingModeChanged;

    private final SortedIndex base;
    private final Map<String, SortedIndex> indexData = new java.util.concurrent.ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long bytes;

    public Table(String name, String arn, String id, double created, KeySchema key, Map<String, AttributeValue.Type> attributes) {
        this.name = name;
        this.arn = arn;
        this.id = id;
        this.created = created;
        this.key = key;
        this.attributes = attributes;
        this.base = new SortedIndex(key, null);
        this.billingModeChanged = created;
    }

    public ReentrantReadWriteLock lock() {
        return lock;
    }

    public SortedIndex base() {
        return base;
    }

    public SortedIndex index(String indexName) {
        return indexData.get(indexName);
    }

    /** Adds an index and fills it from the items (the backfill). Caller holds the write lock. */
    public void addIndex(IndexDef def) {
        SortedIndex idx = new SortedIndex(def.key(), key);
        for (var it = base.all(); it.hasNext(); ) {
            Map<String, AttributeValue> item = it.next();
            if (def.key().indexes(item)) idx.put(item);
        }
        indexData.put(def.name(), idx);
        replaceIndex(def);
    }

    /** Replaces an index's definition (throughput changes); its data stays. */
    public void replaceIndex(IndexDef def) {
        Map<String, IndexDef> next = new LinkedHashMap<>(indexes);
        next.put(def.name(), def);
        indexes = java.util.Collections.unmodifiableMap(next);
    }

    public void removeIndex(String indexName) {
        Map<String, IndexDef> next = new LinkedHashMap<>(indexes);
        next.remove(indexName);
        indexes = java.util.Collections.unmodifiableMap(next);
        indexData.remove(indexName);
    }

    public long itemCount() {
        return base.count();
    }

    public long sizeBytes() {
        return bytes;
    }

    /** Bytes of the items an index holds (approximated by the full items). */
    public long indexSizeBytes(String indexName) {
        SortedIndex idx = indexData.get(indexName);
        long total = 0;
        for (var it = idx.all(); it.hasNext(); ) total += ItemSize.of(it.next());
        return total;
    }

    /** {@link #get} under the read lock, for a read that is not part of a larger locked step. */
    public Map<String, AttributeValue> read(Map<String, AttributeValue> keyValues) {
        lock.readLock().lock();
        try {
            return get(keyValues);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Map<String, AttributeValue> get(Map<String, AttributeValue> keyValues) {
        return base.get(keyValues.get(key.hash()), key.range() == null ? null : keyValues.get(key.range()));
    }

    /** Stores an item (replacing any with its key); returns the old one. Caller holds the write lock. */
    public Map<String, AttributeValue> put(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> old = get(item);
        if (old != null) unindex(old);
        base.put(item);
        bytes += ItemSize.of(item);
        expiry(item, true);
        for (IndexDef d : indexes.values()) {
            if (d.key().indexes(item)) indexData.get(d.name()).put(item);
        }
        return old;
    }

    /** Removes the item with this key; returns it or null. Caller holds the write lock. */
    public Map<String, AttributeValue> delete(Map<String, AttributeValue> keyValues) {
        Map<String, AttributeValue> old = get(keyValues);
        if (old != null) unindex(old);
        return old;
    }

    private void unindex(Map<String, AttributeValue> old) {
        base.remove(old);
        bytes -= ItemSize.of(old);
        expiry(old, false);
        for (IndexDef d : indexes.values()) {
            if (d.key().indexes(old)) indexData.get(d.name()).remove(old);
        }
    }

    /** Sets the TTL attribute (null turns TTL off) and rebuilds the expiry index. Caller holds the write lock. */
    public void ttl(String attribute, boolean enabled) {
        ttlAttribute = attribute;
        ttlEnabled = enabled;
        byExpiry.clear();
        if (attribute != null) for (var it = base.all(); it.hasNext(); ) expiry(it.next(), true);
    }

    private void expiry(Map<String, AttributeValue> item, boolean add) {
        if (ttlAttribute == null) return;
        AttributeValue v = item.get(ttlAttribute);
        if (v == null || v.type() != AttributeValue.Type.N) return;
        long at;
        try {
            at = v.n().setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException tooLarge) {
            return; // far beyond any expiry DynamoDB acts on
        }
        Map<String, AttributeValue> k = key.keyOf(item);
        if (add) {
            byExpiry.computeIfAbsent(at, x -> new java.util.HashSet<>()).add(k);
        } else {
            var set = byExpiry.get(at);
            if (set != null && set.remove(k) && set.isEmpty()) byExpiry.remove(at);
        }
    }

    /** Keys of items whose TTL value is in (notBefore, nowSeconds], oldest first. Caller holds a lock. */
    public java.util.List<Map<String, AttributeValue>> expiredKeys(long notBefore, long nowSeconds, int max) {
        java.util.List<Map<String, AttributeValue>> out = new java.util.ArrayList<>();
        for (var e : byExpiry.subMap(notBefore, false, nowSeconds, true).values()) {
            for (Map<String, AttributeValue> k : e) {
                if (out.size() == max) return out;
                out.add(k);
            }
        }
        return out;
    }

    public void clear() {
        base.clear();
        byExpiry.clear();
        indexData.values().forEach(SortedIndex::clear);
        bytes = 0;
    }
}
