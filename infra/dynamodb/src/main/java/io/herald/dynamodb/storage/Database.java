package io.herald.dynamodb.storage;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
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
    /**
     * Held shared by every change from its journal record until memory holds it too, and
     * exclusively by a runtime compaction, whose snapshot must match the journal it replaces.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock gate = new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** The journal is rewritten once it is past this and twice its last snapshot. */
    public static final long COMPACT_AFTER_BYTES = 64L * 1024 * 1024;
    private volatile long compactAfterBytes = COMPACT_AFTER_BYTES;
    private final java.util.concurrent.atomic.AtomicBoolean compacting = new java.util.concurrent.atomic.AtomicBoolean();
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
        try {
            Database live = new Database(j, region, clock);
            live.tables.putAll(db.tables);
            // the replayed streams too, closed ones and deleted tables' included: DescribeTable and
            // ListStreams name them, and a reader asks for them by that ARN
            db.streams().forEach(live::registerStream);
            long now = clock.getAsLong();
            live.streams.values().forEach(s -> s.trim(now)); // records past their day while the engine was down
            j.compact(live.tables.values(), live.closedStreams());
            return live;
        } catch (IOException | RuntimeException e) {
            j.close(); // and with it the directory's lock
            throw e;
        }
    }

    public String region() {
        return region;
    }

    /** For tests and small machines: compact sooner than {@link #COMPACT_AFTER_BYTES}. */
    public void compactAfterBytes(long bytes) {
        this.compactAfterBytes = bytes;
    }

    private void enter() {
        if (journal != null) gate.readLock().lock();
    }

    private void leave() {
        if (journal != null) gate.readLock().unlock();
    }

    /**
     * Rewrites the journal if it has grown mostly into history. Called by a thread that holds no
     * table lock (a compaction waits for every writer, and writers may wait for table locks).
     * Returns whether it compacted.
     */
    public boolean compactIfDue() throws IOException {
        if (journal == null || !journal.needsCompaction(compactAfterBytes) || !compacting.compareAndSet(false, true)) return false;
        try {
            gate.writeLock().lock();
            try {
                if (!journal.needsCompaction(compactAfterBytes)) return false;
                journal.compact(tables.values(), closedStreams());
                return true;
            } finally {
                gate.writeLock().unlock();
            }
        } finally {
            compacting.set(false);
        }
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
        enter();
        try {
            if (journal != null) journal.table(t);
            tables.put(t.name, t);
        } finally {
            leave();
        }
        if (t.stream != null) registerStream(t.stream);
        return true;
    }

    /** Records a change to a table's definition (indexes, streams, TTL, tags, throughput). Caller holds the write lock. */
    public void changed(Table t) {
        if (t.stream != null) registerStream(t.stream);
        // the definition is whole in each record, so a snapshot taken before or after this one agrees
        enter();
        try {
            if (journal != null) {
                journal.table(t);
                journalClosedStreams(t); // a stream this change disabled stays readable for a day
            }
        } finally {
            leave();
        }
    }

    private void journalClosedStreams(Table t) {
        for (StreamLog s : t.streams) {
            if (s.closed()) journal.closedStream(t.id, s);
        }
    }

    /**
     * Deletes this table (not another one created since under the same name). Caller holds its
     * write lock, so no write of it is in flight; writers that lock it later see {@code dropped}.
     */
    public synchronized boolean drop(Table t) {
        enter();
        try {
            if (!tables.remove(t.name, t)) return false;
            if (t.stream != null) t.stream.close();
            if (journal != null) {
                journal.dropTable(t.name, t.id);
                journalClosedStreams(t); // listed and readable for a day after the table is gone
            }
        } finally {
            leave();
        }
        t.dropped = true;
        t.status = "DELETING";
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

    /** Closed streams still within their day: what a snapshot keeps besides the live tables. */
    List<StreamLog> closedStreams() {
        long now = now();
        return streams.values().stream().filter(x -> x.closed() && now - x.closedAt() <= StreamLog.RETENTION_MILLIS).toList();
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
        Map<String, AttributeValue> old;
        long seq = t.stream != null ? StreamLog.nextSequence() : 0;
        long at = seq != 0 ? now() : 0; // only a stream record needs the time
        enter();
        try {
            if (journal != null) journal.put(t, item, seq, at); // first: a write that cannot be journalled is not applied
            old = t.put(item);
        } finally {
            leave();
        }
        if (seq != 0) streamChange(t, item, old, false, seq, at);
        return old;
    }

    /**
     * The stream record of one change, live or replayed from the journal alike. DynamoDB writes
     * none for a write that changes nothing.
     */
    static void streamChange(Table t, Map<String, AttributeValue> item, Map<String, AttributeValue> old, boolean ttl, long seq, long at) {
        if (t.stream == null || (item == null ? old == null : item.equals(old))) return;
        String event = item == null ? "REMOVE" : old == null ? "INSERT" : "MODIFY";
        t.stream.append(event, t.key.keyOf(item != null ? item : old), item, old, ttl, seq, at);
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
        enter();
        journal.begin();
        try {
            writes.run();
        } finally {
            try {
                journal.commit();
            } finally {
                leave();
            }
        }
    }

    /** Deletes an item; {@code ttl} marks deletions by the TTL sweeper. Caller holds the write lock. */
    public Map<String, AttributeValue> delete(Table t, Map<String, AttributeValue> key, boolean ttl) {
        live(t);
        if (t.get(key) == null) return null;
        Map<String, AttributeValue> old;
        long seq = t.stream != null ? StreamLog.nextSequence() : 0;
        long at = seq != 0 ? now() : 0; // only a stream record needs the time
        enter();
        try {
            if (journal != null) journal.delete(t, t.key.keyOf(key), seq, at, ttl);
            old = t.delete(key);
        } finally {
            leave();
        }
        if (seq != 0) streamChange(t, null, old, ttl, seq, at);
        return old;
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
