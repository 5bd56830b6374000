package io.herald.dynamodb.storage;

import io.herald.dynamodb.model.AttributeValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One table stream: a single shard holding change records in write order. Records older than 24
 * hours are trimmed, as DynamoDB does; a disabled stream's shard is closed (it has an ending
 * sequence number) and readable until then.
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
        this.label = Labels.streamLabel(createdMillis);
        this.arn = tableArn + "/stream/" + label;
        this.tableName = tableName;
        this.viewType = viewType;
        this.created = createdMillis / 1000.0;
        this.createdMillis = createdMillis;
        this.shardId = "shardId-" + String.format("%020d", createdMillis) + "-" + String.format("%08x", (tableArn + createdMillis).hashCode());
        this.startingSequence = Long.toString(SEQUENCE.incrementAndGet());
    }

    /** A change record; images are null where the view type leaves them out. */
    public record Record(String eventId, String eventName, long sequence, long createdMillis, Map<String, AttributeValue> keys,
            Map<String, AttributeValue> newImage, Map<String, AttributeValue> oldImage, long sizeBytes, boolean ttlDelete) {}

    public synchronized void append(String eventName, Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage,
            Map<String, AttributeValue> oldImage, long sizeBytes, boolean ttlDelete, long nowMillis) {
        if (endingSequence != null) return;
        boolean keepNew = viewType.equals("NEW_IMAGE") || viewType.equals("NEW_AND_OLD_IMAGES");
        boolean keepOld = viewType.equals("OLD_IMAGE") || viewType.equals("NEW_AND_OLD_IMAGES");
        records.add(new Record(java.util.UUID.randomUUID().toString().replace("-", ""), eventName, SEQUENCE.incrementAndGet(), nowMillis, keys,
                keepNew ? newImage : null, keepOld ? oldImage : null, sizeBytes, ttlDelete));
        trim(nowMillis);
    }

    private void trim(long nowMillis) {
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
