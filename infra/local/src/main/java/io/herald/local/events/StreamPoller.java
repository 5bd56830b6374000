package io.herald.local.events;

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
 * the embedded engine: read each shard from where the mapping got to (its {@link
 * StreamCheckpoints}; the first time, as StartingPosition says), apply the template's filter patterns,
 * invoke the function with the stream event JSON Lambda delivers, BatchSize records at most. A
 * batch the function fails is retried, the shard waiting behind it, up to MaximumRetryAttempts
 * (without one, until it succeeds), then discarded; with an on-failure destination Lambda's
 * metadata record of the discarded batch (no records, their shard and sequence numbers) goes to
 * it first. With BisectBatchOnFunctionError a batch the function fails is split in two halves,
 * each retried on its own, which counts toward no retry limit; with ReportBatchItemFailures the
 * records from the lowest sequence number the function names are retried. A throttled
 * invocation (reserved concurrency in use) never ran, so it is retried without counting toward
 * that limit. With --data-dir the engine's streams and these positions are durable, so a
 * restarted stack delivers what was written before it stopped and not yet delivered, once.
 */
public final class StreamPoller implements Runnable {
    /**
     * What the event source mapping says.
     *
     * @param batchSize BatchSize (Lambda's default for streams: 100)
     * @param maximumRetryAttempts retries of a failed batch before it is discarded; -1 for no limit
     * @param fromLatest StartingPosition LATEST: records already in the stream at the first start are not delivered
     * @param bisect BisectBatchOnFunctionError
     * @param reportBatchItemFailures FunctionResponseTypes holds ReportBatchItemFailures
     * @param onFailure where the metadata record of a discarded batch goes (the destination queue), or null
     */
    public record Mapping(int batchSize, int maximumRetryAttempts, boolean fromLatest, boolean bisect, boolean reportBatchItemFailures,
            java.util.function.Consumer<String> onFailure) {
        /** Retries and a starting position only, as before bisection and destinations. */
        public Mapping(int batchSize, int maximumRetryAttempts, boolean fromLatest) {
            this(batchSize, maximumRetryAttempts, fromLatest, false, false, null);
        }
    }

    private final DynamoDbClient ddb;
    private final DynamoDbStreamsClient streams;
    private final String table;
    private final List<EventPattern> filters;
    private final LocalFunction target;
    private final Mapping mapping;
    private final StreamCheckpoints checkpoints;
    private volatile boolean running = true;
    /** The stream's ARN when start() already asked for it (LATEST); else the thread asks. */
    private volatile String knownArn;
    private final Thread thread;

    public StreamPoller(DynamoDbClient ddb, DynamoDbStreamsClient streams, String table, List<EventPattern> filters,
            LocalFunction target, Mapping mapping, StreamCheckpoints checkpoints) {
        this.ddb = ddb;
        this.streams = streams;
        this.table = table;
        this.filters = List.copyOf(filters);
        this.target = target;
        this.mapping = mapping;
        this.checkpoints = checkpoints;
        this.thread = DaemonThreads.named("herald-stream-" + table).newThread(this);
    }

    /** With StartingPosition LATEST, first marks what the stream already holds as read, before anything can write. */
    public void start() {
        if (mapping.fromLatest()) {
            knownArn = streamArn();
            passOverWhatIsThere(knownArn);
        }
        thread.start();
    }

    private String streamArn() {
        return ddb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
    }

    /**
     * A mapping created with LATEST reads only what is written after it exists. The local stack's
     * mappings come into being at each start, but with --data-dir the stream may hold records from
     * before (a data directory kept from before positions were kept, a positions file set aside):
     * each shard this mapping has no position in is read to its end without delivering, and its
     * last record becomes the position. An empty shard needs none: everything in it will be new.
     */
    private void passOverWhatIsThere(String arn) {
        Map<String, String> known = checkpoints.positions(arn);
        for (Shard s : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
            if (known.containsKey(s.shardId())) continue;
            String it = iterator(arn, s.shardId(), null);
            String last = null;
            while (it != null) {
                String from = it;
                GetRecordsResponse r = streams.getRecords(b -> b.shardIterator(from).limit(1000));
                if (r.records().isEmpty()) break;
                last = r.records().get(r.records().size() - 1).dynamodb().sequenceNumber();
                it = r.nextShardIterator();
            }
            if (last != null) checkpoints.delivered(arn, s.shardId(), last);
        }
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
        String arn = knownArn != null ? knownArn : streamArn();
        Map<String, String> iterators = new HashMap<>();
        java.util.Set<String> finished = new java.util.HashSet<>();
        while (running) {
            try {
                if (iterators.isEmpty()) {
                    for (Shard s : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
                        if (finished.contains(s.shardId())) continue; // closed and read to its end
                        // after the last record delivered, which survives errors and, with a data directory, restarts
                        iterators.put(s.shardId(), iterator(arn, s.shardId(), checkpoints.positions(arn).get(s.shardId())));
                    }
                }
                Map<String, String> next = new HashMap<>();
                boolean any = false;
                for (Map.Entry<String, String> it : iterators.entrySet()) {
                    GetRecordsResponse r = streams.getRecords(b -> b.shardIterator(it.getValue()).limit(mapping.batchSize()));
                    if (!r.records().isEmpty()) {
                        if (!deliver(arn, it.getKey(), r.records())) return; // stopped while retrying: the batch stays undelivered
                        checkpoints.delivered(arn, it.getKey(), r.records().get(r.records().size() - 1).dynamodb().sequenceNumber());
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

    /** Delivers one batch, retrying as the mapping says; false only when the poller was stopped first. */
    private boolean deliver(String arn, String shardId, List<Record> records) {
        List<ObjectNode> batch = new ArrayList<>();
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
        return batch.isEmpty() || attempt(arn, shardId, batch);
    }

    /**
     * Invokes until the batch succeeds, is discarded or the poller stops (false). A function error
     * with bisection splits the batch, each half a batch of its own with its own retries; a
     * partial batch response retries the records from the lowest failed one, and counts as a
     * failed attempt.
     */
    private boolean attempt(String arn, String shardId, List<ObjectNode> batch) {
        int failures = 0;
        String lastError = null;
        for (int attempt = 0; ; attempt++) {
            try {
                byte[] out = target.invoke(event(batch));
                int from = mapping.reportBatchItemFailures() ? firstFailed(out, batch) : batch.size();
                if (from >= batch.size()) return true;
                if (!running) return false; // a handler handing records back as the stack stops: they stay undelivered
                batch = batch.subList(from, batch.size());
                failures++;
                lastError = null;
                System.err.println("[herald-local] " + target.name() + " reported " + batch.size() + " stream records failed (retrying)");
            } catch (LocalFunction.Throttled e) {
                // not invoked: Lambda retries until the records expire, and MaximumRetryAttempts counts only function errors
                if (attempt == 0) System.err.println("[herald-local] " + target.name() + " throttled on " + batch.size() + " stream records (retrying): " + e.getMessage());
            } catch (RuntimeException e) {
                if (!running) return false; // stopped mid-invocation: nothing is split, discarded or passed
                if (mapping.bisect() && batch.size() > 1) {
                    System.err.println("[herald-local] " + target.name() + " failed on " + batch.size() + " stream records (splitting the batch): " + e);
                    int half = batch.size() / 2;
                    return attempt(arn, shardId, batch.subList(0, half)) && attempt(arn, shardId, batch.subList(half, batch.size()));
                }
                failures++;
                lastError = e.toString();
                System.err.println("[herald-local] " + target.name() + " failed on " + batch.size() + " stream records (retrying): " + e);
            }
            if (mapping.maximumRetryAttempts() >= 0 && failures > mapping.maximumRetryAttempts()) {
                discard(arn, shardId, batch, failures, lastError);
                return true;
            }
            try {
                Thread.sleep(retryDelayMillis(attempt));
            } catch (InterruptedException stopped) {
                return false;
            }
            if (!running) return false;
        }
    }

    private static byte[] event(List<ObjectNode> batch) {
        ObjectNode event = Json.object();
        event.putArray("Records").addAll(batch);
        return Json.write(event).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The index of the first record a partial batch response names as failed; the batch's size when
     * it names none. A response Lambda cannot read as naming a record (an empty or unknown
     * itemIdentifier) fails the whole batch, as Lambda treats it.
     */
    static int firstFailed(byte[] response, List<ObjectNode> batch) {
        com.fasterxml.jackson.databind.JsonNode failures;
        try {
            failures = Json.parse(new String(response, StandardCharsets.UTF_8)).path("batchItemFailures");
        } catch (RuntimeException notJson) {
            return batch.size(); // no partial batch response: success
        }
        int first = batch.size();
        for (com.fasterxml.jackson.databind.JsonNode f : failures) {
            String id = f.path("itemIdentifier").asText("");
            int at = -1;
            for (int i = 0; i < batch.size() && at < 0; i++) {
                if (id.equals(batch.get(i).path("dynamodb").path("SequenceNumber").asText())) at = i;
            }
            if (at < 0) return 0;
            first = Math.min(first, at);
        }
        return first;
    }

    /** Gives a batch up: counted, logged, and its metadata sent to the on-failure destination if there is one. */
    private void discard(String arn, String shardId, List<ObjectNode> batch, int attempts, String functionError) {
        errors.incrementAndGet();
        System.err.println("[herald-local] " + target.name() + " failed on " + batch.size() + " stream records " + attempts
                + " times; discarded after MaximumRetryAttempts " + mapping.maximumRetryAttempts()
                + (mapping.onFailure() != null ? " (its metadata to the on-failure destination)" : "") + ": " + functionError);
        if (mapping.onFailure() == null) return;
        try {
            mapping.onFailure().accept(Json.write(failureRecord(arn, shardId, batch, attempts, functionError != null)));
        } catch (RuntimeException e) {
            System.err.println("[herald-local] on-failure destination of " + target.name() + " refused the record: " + e);
        }
    }

    /** Lambda's invocation record for a discarded stream batch: where the records are, not the records. */
    private ObjectNode failureRecord(String arn, String shardId, List<ObjectNode> batch, int attempts, boolean functionError) {
        ObjectNode doc = Json.object();
        doc.putObject("requestContext").put("requestId", java.util.UUID.randomUUID().toString())
                .put("functionArn", "arn:aws:lambda:us-east-1:000000000000:function:" + target.name())
                .put("condition", "RetryAttemptsExhausted").put("approximateInvokeCount", attempts);
        ObjectNode response = doc.putObject("responseContext").put("statusCode", 200).put("executedVersion", "$LATEST");
        if (functionError) response.put("functionError", "Unhandled");
        doc.put("version", "1.0").put("timestamp", java.time.Instant.now().toString());
        ObjectNode first = batch.get(0), last = batch.get(batch.size() - 1);
        doc.putObject("DDBStreamBatchInfo").put("shardId", shardId)
                .put("startSequenceNumber", first.path("dynamodb").path("SequenceNumber").asText())
                .put("endSequenceNumber", last.path("dynamodb").path("SequenceNumber").asText())
                .put("approximateArrivalOfFirstRecord", arrival(first)).put("approximateArrivalOfLastRecord", arrival(last))
                .put("batchSize", batch.size()).put("streamArn", arn);
        return doc;
    }

    private static String arrival(ObjectNode record) {
        com.fasterxml.jackson.databind.JsonNode t = record.path("dynamodb").path("ApproximateCreationDateTime");
        return t.isNumber() ? java.time.Instant.ofEpochSecond(t.asLong()).toString() : java.time.Instant.now().toString();
    }

    /** 250 ms doubling to 5 s between attempts at a failed batch. */
    static long retryDelayMillis(int attempt) {
        return Math.min(5000, 250L << Math.min(attempt, 5));
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
