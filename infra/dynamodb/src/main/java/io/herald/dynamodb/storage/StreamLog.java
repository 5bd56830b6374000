package io.herald.dynamodb.storage;

import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One table stream: a single shard holding change records in write order. Records older than 24
 * hours are trimmed, as DynamoDB does; a disabled stream's shard is closed (it has an ending
 * sequence number) and readable until then.
 *
 * <p>With a data directory a stream is durable: a write's sequence number and time are taken
 * before it is journalled and travel in its journal record, so a replay rebuilds the same records
 * (same sequence numbers, times and event ids) and a reader resumes after the last one it saw,
 * across a restart or a kill -9. A closed stream (disabled, or its table deleted) is journalled
 * with its closing, and stays readable after a restart for the rest of its day.
 */
public final class StreamLog {
    public static final long RETENTION_MILLIS = 24L * 3600 * 1000;
    private static final AtomicLong SEQUENCE = new AtomicLong(100_000_000_000_000_000L);

    public final String arn;
    public final String label;
    public final String tableName;
    public final String viewType;
    public final String shardId;
    public final double created;
    public final long createdMillis;
    private final List<Record> records = new ArrayList<>();
    private long trimmed; // records removed from the front
    private final String startingSequence;
    private String endingSequence;

    /** A stream created at {@code createdMillis}: its label and ARN derive from that time, so they survive a restart. */
    public StreamLog(String tableArn, String tableName, String viewType, long createdMillis) {
        this(tableArn, tableName, viewType, createdMillis, 0);
    }

    /** As above, with the shard's starting sequence number from a journal (0: a new one). */
    StreamLog(String tableArn, String tableName, String viewType, long createdMillis, long startingSequence) {
        this.label = Labels.streamLabel(createdMillis);
        this.arn = tableArn + "/stream/" + label;
        this.tableName = tableName;
        this.viewType = viewType;
        this.created = createdMillis / 1000.0;
        this.createdMillis = createdMillis;
        this.shardId = "shardId-" + String.format("%020d", createdMillis) + "-" + String.format("%08x", (tableArn + createdMillis).hashCode());
        long start = startingSequence > 0 ? startingSequence : nextSequence();
        sequenceAtLeast(start);
        this.startingSequence = Long.toString(start);
    }

    /** A new sequence number, taken before a write is journalled so that its record can carry it. */
    public static long nextSequence() {
        return SEQUENCE.incrementAndGet();
    }

    /** After a replay: numbers handed out later follow every replayed one, as a reader expects. */
    static void sequenceAtLeast(long sequence) {
        long cur;
        while ((cur = SEQUENCE.get()) < sequence && !SEQUENCE.compareAndSet(cur, sequence)) {
            // another thread moved it; look again
        }
    }

    /**
     * An event id derived from the stream and the sequence number, so a replayed record keeps
     * its id: 32 hex digits like AWS's, distinct for distinct records of a stream.
     */
    private String eventId(long sequence) {
        long a = mix(sequence ^ arn.hashCode() * 0x9E3779B97F4A7C15L);
        long b = mix(sequence);
        return hex16(a) + hex16(b);
    }

    private static long mix(long z) { // splitmix64's finaliser: a bijection that scatters the bits
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    /** A change record; images are null where the view type leaves them out. */
    public record Record(String eventId, String eventName, long sequence, long createdMillis, Map<String, AttributeValue> keys,
            Map<String, AttributeValue> newImage, Map<String, AttributeValue> oldImage, long sizeBytes, boolean ttlDelete) {}

    /**
     * Adds a change record with the sequence number and time its write took (see {@link
     * #nextSequence}). Images the view type leaves out are dropped here, and the record's size is
     * what it keeps: its keys and the images it carries, as DynamoDB counts it.
     */
    public synchronized void append(String eventName, Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage,
            Map<String, AttributeValue> oldImage, boolean ttlDelete, long sequence, long atMillis) {
        if (endingSequence != null) return;
        add(eventName, keys, newImage, oldImage, ttlDelete, sequence, atMillis);
    }

    /** Replay: a record of a stream that may be closed already (a snapshot writes them after its closing). */
    synchronized void restore(String eventName, Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage,
            Map<String, AttributeValue> oldImage, boolean ttlDelete, long sequence, long atMillis) {
        add(eventName, keys, newImage, oldImage, ttlDelete, sequence, atMillis);
    }

    private void add(String eventName, Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage,
            Map<String, AttributeValue> oldImage, boolean ttlDelete, long sequence, long atMillis) {
        Map<String, AttributeValue> n = viewType.equals("NEW_IMAGE") || viewType.equals("NEW_AND_OLD_IMAGES") ? newImage : null;
        Map<String, AttributeValue> o = viewType.equals("OLD_IMAGE") || viewType.equals("NEW_AND_OLD_IMAGES") ? oldImage : null;
        long size = ItemSize.of(keys) + (n == null ? 0 : ItemSize.of(n)) + (o == null ? 0 : ItemSize.of(o));
        records.add(new Record(eventId(sequence), eventName, sequence, atMillis, keys, n, o, size, ttlDelete));
        trim(atMillis);
    }

    /** Every record still held, oldest first (a snapshot for the journal). */
    synchronized List<Record> records() {
        return new ArrayList<>(records);
    }

    synchronized void trim(long nowMillis) {
        int drop = 0;
        while (drop < records.size() && nowMillis - records.get(drop).createdMillis() > RETENTION_MILLIS) drop++;
        if (drop > 0) {
            records.subList(0, drop).clear();
            trimmed += drop;
        }
    }

    public synchronized void close() {
        if (endingSequence == null) {
            endingSequence = Long.toString(SEQUENCE.incrementAndGet());
            closedAt = System.currentTimeMillis();
        }
    }

    /** Replay: closed as the journal says, with the ending sequence number and time it had. */
    synchronized void closedAs(long endingSequence, long atMillis) {
        this.endingSequence = Long.toString(endingSequence);
        this.closedAt = atMillis;
        sequenceAtLeast(endingSequence);
    }

    /** The ARN of the table this stream belongs (or belonged) to. */
    public String tableArn() {
        return arn.substring(0, arn.indexOf("/stream/"));
    }

    private volatile long closedAt;

    /** When the stream was disabled or its table deleted; 0 while open. */
    public long closedAt() {
        return closedAt;
    }

    public synchronized boolean closed() {
        return endingSequence != null;
    }

    public String startingSequence() {
        return startingSequence;
    }

    public synchronized String endingSequence() {
        return endingSequence;
    }

    /** Absolute position of the first record still held. */
    public synchronized long firstPosition() {
        return trimmed;
    }

    /** Absolute position after the last record. */
    public synchronized long endPosition() {
        return trimmed + records.size();
    }

    /** Position of the record with this sequence number (or of the first after it), for AT_/AFTER_SEQUENCE_NUMBER. */
    public synchronized long positionOf(long sequence, boolean after) {
        // a record trimmed away (older than the oldest held) cannot be resumed from: the gap must be seen
        if (trimmed > 0 && (records.isEmpty() || sequence < records.get(0).sequence())) return -1;
        for (int i = 0; i < records.size(); i++) {
            long s = records.get(i).sequence();
            if (s == sequence) return trimmed + i + (after ? 1 : 0);
            if (s > sequence) return trimmed + i;
        }
        return trimmed + records.size();
    }

    /** Up to {@code limit} records from an absolute position; null when that position was trimmed. */
    public synchronized List<Record> read(long position, int limit) {
        if (position < trimmed) return null;
        int from = (int) Math.min(position - trimmed, records.size());
        int to = Math.min(records.size(), from + limit);
        return new ArrayList<>(records.subList(from, to));
    }
}
