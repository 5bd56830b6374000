package io.herald.dynamodb.storage;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * All tables of one engine, the change hooks every write goes through (streams and, with a data
 * directory, the journal), and the account and region used in ARNs.
 */
public final class Database implements AutoCloseable {
    public static final String ACCOUNT = "123456789012";

    private final ConcurrentSkipListMap<String, Table> tables = new ConcurrentSkipListMap<>();
    private final Journal journal; // null in memory
    private final String region;
    private final LongSupplier clock;

    private Database(Journal journal, String region, LongSupplier clock) {
        this.journal = journal;
        this.region = region;
        this.clock = clock;
    }

    public static Database inMemory(String region, LongSupplier clock) {
        return new Database(null, region, clock);
    }

    /** Opens (or creates) a data directory, replays it and compacts it. */
    public static Database open(Path dir, String region, LongSupplier clock) throws IOException {
        Database db = new Database(null, region, clock);
        Journal j = Journal.open(dir, db);
        Database live = new Database(j, region, clock);
        live.tables.putAll(db.tables);
        j.compact(live.tables.values());
        return live;
    }

    public String region() {
        return region;
    }

    public long now() {
        return clock.getAsLong();
    }

    public String tableArn(String name) {
        return "arn:aws:dynamodb:" + region + ":" + ACCOUNT + ":table/" + name;
    }

    public Table find(String name) {
        return tables.get(name);
    }

    public Table require(String name) {
        Table t = tables.get(name);
        if (t == null) throw DynamoDbError.notFound("Requested resource not found");
        return t;
    }

    public Collection<Table> tables() {
        return tables.values();
    }

    public List<String> names() {
        return new ArrayList<>(tables.keySet());
    }

    /** Adds a new table; false if the name is taken. Journalled before it becomes visible to writers. */
    public synchronized boolean create(Table t) {
        if (tables.containsKey(t.name)) return false;
        if (journal != null) journal.table(t);
        tables.put(t.name, t);
        if (t.stream != null) registerStream(t.stream);
        return true;
    }

    /** Records a change to a table's definition (indexes, streams, TTL, tags, throughput). Caller holds the write lock. */
    public void changed(Table t) {
        if (t.stream != null) registerStream(t.stream);
        if (journal != null) journal.table(t);
    }

    /**
     * Deletes this table (not another one created since under the same name). Caller holds its
     * write lock, so no write of it is in flight; writers that lock it later see {@code dropped}.
     */
    public synchronized boolean drop(Table t) {
        if (!tables.remove(t.name, t)) return false;
        if (journal != null) journal.dropTable(t.name, t.id);
        t.dropped = true;
        t.status = "DELETING";
        if (t.stream != null) t.stream.close();
        return true;
    }

    /** Replay: put a table back, or take it away, without journalling. */
    void restore(Table t) {
        tables.put(t.name, t);
        t.streams.forEach(this::registerStream);
    }

    void forget(String name) {
        tables.remove(name);
    }

    // ---- streams outlive their tables by a day, as DynamoDB's do ----

    private final java.util.concurrent.ConcurrentSkipListMap<String, StreamLog> streams = new java.util.concurrent.ConcurrentSkipListMap<>();

    void registerStream(StreamLog s) {
        streams.putIfAbsent(s.arn, s);
        long now = now();
        streams.values().removeIf(x -> x.closedAt() > 0 && now - x.closedAt() > StreamLog.RETENTION_MILLIS);
    }

    public StreamLog stream(String arn) {
        return streams.get(arn);
    }

    /** Every stream, current or closed within the last day, in ARN order. */
    public Collection<StreamLog> streams() {
        return streams.values();
    }

    /**
     * Stores an item and records the change. Caller holds the table's write lock. Returns the old item.
     */
    public Map<String, AttributeValue> put(Table t, Map<String, AttributeValue> item) {
        live(t);
        if (journal != null) journal.put(t, item); // first: a write that cannot be journalled is not applied
        Map<String, AttributeValue> old = t.put(item);
        // DynamoDB writes no stream record for a write that changes nothing
        if (t.stream != null && !item.equals(old)) {
            t.stream.append(old == null ? "INSERT" : "MODIFY", t.key.keyOf(item), item, old, streamSize(t, item, old), false, now());
        }
        return old;
    }

    private static void live(Table t) {
        if (t.dropped) throw DynamoDbError.notFound("Requested resource not found");
    }

    /**
     * Runs the writes of one transaction so that the journal holds all of them or none: they are
     * collected and appended as one record when {@code writes} returns.
     */
    public void atomically(Runnable writes) {
        if (journal == null) {
            writes.run();
            return;
        }
        journal.begin();
        try {
            writes.run();
        } finally {
            journal.commit();
        }
    }

    /** Deletes an item; {@code ttl} marks deletions by the TTL sweeper. Caller holds the write lock. */
    public Map<String, AttributeValue> delete(Table t, Map<String, AttributeValue> key, boolean ttl) {
        live(t);
        if (t.get(key) == null) return null;
        if (journal != null) journal.delete(t, t.key.keyOf(key));
        Map<String, AttributeValue> old = t.delete(key);
        if (t.stream != null) t.stream.append("REMOVE", t.key.keyOf(old), null, old, streamSize(t, null, old), ttl, now());
        return old;
    }

    private static long streamSize(Table t, Map<String, AttributeValue> item, Map<String, AttributeValue> old) {
        long size = ItemSize.of(t.key.keyOf(item != null ? item : old));
        String view = t.stream.viewType;
        if (item != null && (view.equals("NEW_IMAGE") || view.equals("NEW_AND_OLD_IMAGES"))) size += ItemSize.of(item);
        if (old != null && (view.equals("OLD_IMAGE") || view.equals("NEW_AND_OLD_IMAGES"))) size += ItemSize.of(old);
        return size;
    }

    /** Blocks until everything this thread wrote is on disk (no-op in memory). */
    public void sync() {
        if (journal != null) journal.sync();
    }

    @Override
    public void close() throws IOException {
        if (journal != null) journal.close();
    }
}
