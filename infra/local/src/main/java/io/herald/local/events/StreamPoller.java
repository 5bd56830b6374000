package io.herald.local.events;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.aws.dynamodb.StreamImages;
import io.herald.core.concurrent.DaemonThreads;
import io.herald.core.json.Json;
import io.herald.local.lambda.LocalFunction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A DynamoDB stream event source mapping, emulated with the real DynamoDbStreamsClient against
 * the embedded engine: read records from the start of each shard (TRIM_HORIZON), apply the
 * template's filter patterns, invoke the function with the stream event JSON Lambda delivers. The
 * engine keeps stream records in memory only, so a stack restarted over a --data-dir begins with
 * empty streams and replays nothing.
 */
public final class StreamPoller implements Runnable {
    private final DynamoDbClient ddb;
    private final DynamoDbStreamsClient streams;
    private final String table;
    private final List<EventPattern> filters;
    private final LocalFunction target;
    private volatile boolean running = true;
    private final Thread thread;

    public StreamPoller(DynamoDbClient ddb, DynamoDbStreamsClient streams, String table, List<EventPattern> filters,
            LocalFunction target) {
        this.ddb = ddb;
        this.streams = streams;
        this.table = table;
        this.filters = List.copyOf(filters);
        this.target = target;
        this.thread = DaemonThreads.named("herald-stream-" + table).newThread(this);
    }

    public void start() {
        thread.start();
    }

    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Lambda polls a stream's shards four times a second; so does the local stack when a poll found
     * nothing (records keep it reading at once). Faster polling only burned an idle stack's CPU.
     */
    static final long IDLE_POLL_MS = 250;

    private final AtomicInteger errors = new AtomicInteger();

    /** Errors the poller recovered from by resuming; a healthy stack has none. */
    public int errors() {
        return errors.get();
    }

    @Override
    public void run() {
        String arn = ddb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        // shard id -> last sequence number delivered (null: nothing yet); resuming after it survives errors
        Map<String, String> position = new HashMap<>();
        Map<String, String> iterators = new HashMap<>();
        java.util.Set<String> finished = new java.util.HashSet<>();
        while (running) {
            try {
                if (iterators.isEmpty()) {
                    for (Shard s : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
                        if (finished.contains(s.shardId())) continue; // closed and read to its end
                        iterators.put(s.shardId(), iterator(arn, s.shardId(), position.get(s.shardId())));
                        position.putIfAbsent(s.shardId(), null);
                    }
                }
                Map<String, String> next = new HashMap<>();
                boolean any = false;
                for (Map.Entry<String, String> it : iterators.entrySet()) {
                    GetRecordsResponse r = streams.getRecords(b -> b.shardIterator(it.getValue()).limit(100));
                    if (!r.records().isEmpty()) {
                        deliver(arn, r.records());
                        position.put(it.getKey(), r.records().get(r.records().size() - 1).dynamodb().sequenceNumber());
                        any = true;
                    }
                    if (r.nextShardIterator() != null) next.put(it.getKey(), r.nextShardIterator());
                    else finished.add(it.getKey());
                }
                iterators = next;
                if (!any) Thread.sleep(IDLE_POLL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // e.g. ExpiredIteratorException after the machine slept past an iterator's 15 minutes:
                // fresh iterators resume after the last delivered record
                if (!running) return;
                errors.incrementAndGet();
                System.err.println("[herald-local] stream poller " + table + " (resuming): " + e.getMessage());
                iterators.clear();
                sleepQuietly();
            }
        }
    }

    /**
     * An iterator after the last delivered record, or from the shard's start. A stream keeps records
     * for 24 hours; if the last delivered one has been trimmed since (a stack suspended that long),
     * DynamoDB refuses AFTER_SEQUENCE_NUMBER with TrimmedDataAccessException; reading then resumes at
     * the oldest record left, and the records in between are lost.
     */
    private String iterator(String arn, String shardId, String lastDelivered) {
        if (lastDelivered != null) {
            try {
                return streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId)
                        .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(lastDelivered)).shardIterator();
            } catch (TrimmedDataAccessException e) {
                errors.incrementAndGet();
                System.err.println("[herald-local] stream poller " + table + ": records after " + lastDelivered
                        + " were trimmed before delivery; resuming at the oldest record left");
            }
        }
        return streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .shardIterator();
    }

    private void deliver(String arn, List<Record> records) {
        ArrayNode batch = Json.array();
        for (Record r : records) {
            ObjectNode rec;
            try {
                rec = record(arn, r);
            } catch (IllegalArgumentException e) {
                // AWS would deliver it; a local stack that cannot write it says so and skips it rather than stall the shard
                errors.incrementAndGet();
                System.err.println("[herald-local] stream poller " + table + ": record " + r.eventID() + " skipped: " + e.getMessage());
                continue;
            }
            if (filters.isEmpty() || filters.stream().anyMatch(f -> f.matches(rec))) batch.add(rec);
        }
        if (batch.isEmpty()) return;
        ObjectNode event = Json.object();
        event.set("Records", batch);
        try {
            target.invoke(Json.write(event).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            System.err.println("[herald-local] " + target.name() + " failed on stream records: " + e);
        }
    }

    /** One record as Lambda's DynamoDB event carries it. */
    private static ObjectNode record(String arn, Record r) {
        ObjectNode rec = Json.object();
        rec.put("eventID", r.eventID()).put("eventName", r.eventNameAsString()).put("eventVersion", "1.1")
                .put("eventSource", "aws:dynamodb").put("awsRegion", "us-east-1");
        ObjectNode d = rec.putObject("dynamodb");
        if (r.dynamodb().approximateCreationDateTime() != null) {
            d.put("ApproximateCreationDateTime", r.dynamodb().approximateCreationDateTime().getEpochSecond());
        }
        d.set("Keys", StreamImages.toJson(r.dynamodb().keys()));
        if (r.dynamodb().hasNewImage()) d.set("NewImage", StreamImages.toJson(r.dynamodb().newImage()));
        if (r.dynamodb().hasOldImage()) d.set("OldImage", StreamImages.toJson(r.dynamodb().oldImage()));
        d.put("SequenceNumber", r.dynamodb().sequenceNumber()).put("SizeBytes", r.dynamodb().sizeBytes())
                .put("StreamViewType", r.dynamodb().streamViewTypeAsString());
        rec.put("eventSourceARN", arn);
        // a TTL deletion names the DynamoDB service, as on AWS (Lambda's record writes the keys in camel case)
        if (r.userIdentity() != null) {
            rec.putObject("userIdentity").put("type", r.userIdentity().type()).put("principalId", r.userIdentity().principalId());
        }
        return rec;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
