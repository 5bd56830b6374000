package io.herald.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.dynamodb.DynamoDbEngine;
import io.herald.local.LocalOptions;
import io.herald.local.LocalStack;
import io.herald.local.lambda.LocalFunction;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The stream event source as Lambda runs one: a failed batch is retried with the shard waiting,
 * then discarded after MaximumRetryAttempts; the position survives a restart over a data
 * directory, so what was written and not yet delivered is delivered once. On Herald's engine with
 * the real SDK clients; the function is a test handler run by LocalFunction.
 */
class StreamPollerTest {
    /** What one test's function saw: the pk of each record of each attempt, and how many attempts fail. */
    static final class Seen {
        final List<List<String>> attempts = new CopyOnWriteArrayList<>();
        final List<List<String>> delivered = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        /** An event with {"hold": true} waits for this, keeping the function's one reserved slot. */
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        /** A batch holding this pk fails (the function throws). */
        volatile String poison;
        /** Named once in a partial batch response, by its pk (or "?" for an identifier Lambda cannot place). */
        volatile String reportOnce;
        /** What the on-failure destination received. */
        final List<JsonNode> destination = new CopyOnWriteArrayList<>();
    }

    static final Map<String, Seen> SEEN = new ConcurrentHashMap<>();

    /** Records each invocation; fails while its test's failuresLeft is above zero. */
    public static final class Recorder implements RequestStreamHandler {
        private final Seen seen;

        public Recorder(Map<String, String> env) {
            this.seen = SEEN.get(env.get("SEEN"));
        }

        @Override
        public void handleRequest(InputStream in, OutputStream out, Context context) throws java.io.IOException {
            JsonNode event = Json.parse(in);
            if (event.path("hold").asBoolean()) {
                seen.holding.countDown();
                try {
                    seen.release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return;
            }
            List<String> pks = new ArrayList<>();
            for (JsonNode r : event.get("Records")) pks.add(r.at("/dynamodb/Keys/pk/S").asText());
            seen.attempts.add(pks);
            if (seen.failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("failing on purpose");
            if (pks.contains(seen.poison)) throw new IllegalStateException("poison record");
            String report = seen.reportOnce;
            if (report != null) {
                seen.reportOnce = null;
                String id = "?";
                for (JsonNode r : event.get("Records")) {
                    if (report.equals(r.at("/dynamodb/Keys/pk/S").asText())) id = r.at("/dynamodb/SequenceNumber").asText();
                }
                seen.delivered.add(pks.subList(0, Math.max(0, pks.indexOf(report))));
                out.write(("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + id + "\"}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            seen.delivered.add(pks);
        }
    }

    private final String key = UUID.randomUUID().toString();
    private final Seen seen = new Seen();

    StreamPollerTest() {
        SEEN.put(key, seen);
    }

    private StreamPoller poller(DynamoDbEngine engine, int maxRetries, StreamCheckpoints checkpoints) {
        return poller(engine, maxRetries, false, checkpoints);
    }

    private StreamPoller poller(DynamoDbEngine engine, int maxRetries, boolean fromLatest, StreamCheckpoints checkpoints) {
        return poller(engine, maxRetries, fromLatest, checkpoints, new LocalFunction("Recorder", Recorder.class.getName(), Map.of("SEEN", key)));
    }

    private StreamPoller poller(DynamoDbEngine engine, int maxRetries, boolean fromLatest, StreamCheckpoints checkpoints, LocalFunction f) {
        return poller(engine, new StreamPoller.Mapping(10, maxRetries, fromLatest), checkpoints, f);
    }

    /** With bisection, partial batch responses and an on-failure destination that keeps what it is sent in {@code seen}. */
    private StreamPoller pollerWithFailureHandling(DynamoDbEngine engine, int maxRetries) {
        return poller(engine, new StreamPoller.Mapping(10, maxRetries, false, true, true, record -> seen.destination.add(Json.parse(record))),
                StreamCheckpoints.inMemory(), new LocalFunction("Recorder", Recorder.class.getName(), Map.of("SEEN", key)));
    }

    private StreamPoller poller(DynamoDbEngine engine, StreamPoller.Mapping mapping, StreamCheckpoints checkpoints, LocalFunction f) {
        URI endpoint = engine.endpoint();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create()).build();
        StreamPoller p = new StreamPoller(ddb, streams, "things", List.of(), f, mapping, checkpoints);
        p.start();
        return p;
    }

    private static DynamoDbClient client(DynamoDbEngine engine) {
        return DynamoDbClient.builder().endpointOverride(engine.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static void createTable(DynamoDbClient ddb) {
        ddb.createTable(b -> b.tableName("things").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
    }

    private static void put(DynamoDbClient ddb, String... pks) {
        for (String pk : pks) ddb.putItem(b -> b.tableName("things").item(Map.of("pk", AttributeValue.fromS(pk))));
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 20 s: " + what);
            Thread.sleep(20);
        }
    }

    private List<String> deliveredKeys() {
        List<String> all = new ArrayList<>();
        seen.delivered.forEach(all::addAll);
        return all;
    }

    @Test
    void a_failed_batch_should_be_retried_with_the_shard_waiting_then_delivered_once() throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().start(); DynamoDbClient ddb = client(engine)) {
            createTable(ddb);
            seen.failuresLeft.set(2);
            put(ddb, "a", "b");
            StreamPoller p = poller(engine, 2, StreamCheckpoints.inMemory());
            try {
                await("the batch delivered", () -> !seen.delivered.isEmpty());
                put(ddb, "c");
                await("the next record delivered", () -> deliveredKeys().contains("c"));
            } finally {
                p.stop();
            }
            assertEquals(List.of(List.of("a", "b"), List.of("a", "b"), List.of("a", "b"), List.of("c")), seen.attempts,
                    "two failures, then the same batch succeeds; nothing after it goes first");
            assertEquals(List.of("a", "b", "c"), deliveredKeys());
            assertEquals(0, p.errors());
        }
    }

    @Test
    void a_batch_failing_past_maximum_retry_attempts_should_be_discarded_and_the_shard_go_on() throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().start(); DynamoDbClient ddb = client(engine)) {
            createTable(ddb);
            seen.failuresLeft.set(3); // the first attempt and both retries
            put(ddb, "a");
            StreamPoller p = poller(engine, 2, StreamCheckpoints.inMemory());
            try {
                await("three attempts", () -> seen.attempts.size() >= 3);
                put(ddb, "b");
                await("the next record delivered", () -> deliveredKeys().contains("b"));
            } finally {
                p.stop();
            }
            assertEquals(List.of(List.of("a"), List.of("a"), List.of("a"), List.of("b")), seen.attempts);
            assertEquals(List.of("b"), deliveredKeys(), "the discarded batch is not delivered later");
            assertEquals(1, p.errors(), "a discarded batch is counted");
        }
    }

    /** Writes the items in one transaction, so that they reach the stream together and make one batch. */
    private static void putTogether(DynamoDbClient ddb, String... pks) {
        ddb.transactWriteItems(b -> b.transactItems(java.util.Arrays.stream(pks)
                .map(pk -> software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder()
                        .put(x -> x.tableName("things").item(Map.of("pk", AttributeValue.fromS(pk)))).build())
                .toList()));
    }

    /**
     * Writes the items as one batch, runs the poller with failure handling until {@code done}, then
     * {@code after} with the engine still up; returns the poller's error count.
     */
    private int runWithFailureHandling(int maxRetries, String what, BooleanSupplier done, java.util.function.Consumer<DynamoDbEngine> after,
            String... pks) throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().start(); DynamoDbClient ddb = client(engine)) {
            createTable(ddb);
            putTogether(ddb, pks);
            StreamPoller p = pollerWithFailureHandling(engine, maxRetries);
            try {
                await(what, done);
            } finally {
                p.stop();
            }
            after.accept(engine);
            return p.errors();
        }
    }

    @Test
    void bisection_should_isolate_a_failing_record_and_send_its_place_in_the_stream_to_the_destination() throws Exception {
        seen.poison = "p";
        java.util.concurrent.atomic.AtomicReference<String> atThatPlace = new java.util.concurrent.atomic.AtomicReference<>();
        int errors = runWithFailureHandling(1, "the rest delivered", () -> deliveredKeys().contains("d"), engine -> {
            // the destination's record names a place; the stream still holds what is there
            JsonNode info = seen.destination.get(0).get("DDBStreamBatchInfo");
            var streams = DynamoDbStreamsClient.builder().endpointOverride(engine.endpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            String it = streams.getShardIterator(b -> b.streamArn(info.get("streamArn").asText()).shardId(info.get("shardId").asText())
                    .shardIteratorType(software.amazon.awssdk.services.dynamodb.model.ShardIteratorType.AT_SEQUENCE_NUMBER)
                    .sequenceNumber(info.get("startSequenceNumber").asText())).shardIterator();
            atThatPlace.set(streams.getRecords(b -> b.shardIterator(it).limit(1)).records().get(0).dynamodb().keys().get("pk").s());
        }, "a", "b", "p", "d");
        assertEquals(List.of(List.of("a", "b", "p", "d"), List.of("a", "b"), List.of("p", "d"), List.of("p"), List.of("p"), List.of("d")),
                seen.attempts, "halves until the bad record stands alone; splitting counts toward no retry limit");
        assertEquals(List.of("a", "b", "d"), deliveredKeys());
        assertEquals(1, errors);
        assertEquals(1, seen.destination.size());
        JsonNode record = seen.destination.get(0);
        assertEquals("RetryAttemptsExhausted", record.at("/requestContext/condition").asText());
        assertEquals(2, record.at("/requestContext/approximateInvokeCount").asInt());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:Recorder", record.at("/requestContext/functionArn").asText());
        assertEquals("Unhandled", record.at("/responseContext/functionError").asText());
        JsonNode info = record.get("DDBStreamBatchInfo");
        assertEquals(1, info.get("batchSize").asInt());
        assertEquals(info.get("startSequenceNumber"), info.get("endSequenceNumber"));
        assertEquals("p", atThatPlace.get());
    }

    @Test
    void a_partial_batch_response_should_retry_from_the_record_it_names_and_nothing_before() throws Exception {
        seen.reportOnce = "c";
        runWithFailureHandling(2, "the rest delivered", () -> deliveredKeys().contains("d"), engine -> { }, "a", "b", "c", "d");
        assertEquals(List.of(List.of("a", "b", "c", "d"), List.of("c", "d")), seen.attempts);
        assertEquals(List.of("a", "b", "c", "d"), deliveredKeys());
        assertTrue(seen.destination.isEmpty());
    }

    @Test
    void a_partial_batch_response_naming_no_record_of_the_batch_should_retry_it_whole() throws Exception {
        seen.reportOnce = "not-in-the-batch";
        runWithFailureHandling(2, "delivered", () -> seen.attempts.size() == 2 && !seen.delivered.isEmpty(), engine -> { }, "a", "b");
        assertEquals(List.of(List.of("a", "b"), List.of("a", "b")), seen.attempts);
    }

    @Test
    void a_throttled_invocation_should_be_retried_without_counting_toward_maximum_retry_attempts() throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().start(); DynamoDbClient ddb = client(engine)) {
            createTable(ddb);
            LocalFunction f = new LocalFunction("Recorder", Recorder.class.getName(), Map.of("SEEN", key),
                    new io.herald.local.metrics.FunctionMetrics(), 1);
            Thread holder = new Thread(() -> f.invoke("{\"hold\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            holder.start();
            await("the holder in the only slot", () -> seen.holding.getCount() == 0);
            put(ddb, "a");
            StreamPoller p = poller(engine, 0, false, StreamCheckpoints.inMemory(), f); // no retries of a function error
            try {
                Thread.sleep(2_000); // throttled on every attempt meanwhile (250, 500, 1,000 ms apart)
                assertTrue(seen.attempts.isEmpty(), "invoked while the only slot was held: " + seen.attempts);
                seen.release.countDown();
                holder.join();
                await("the batch delivered once the slot is free", () -> deliveredKeys().contains("a"));
            } finally {
                p.stop();
            }
            assertEquals(List.of(List.of("a")), seen.attempts);
            assertEquals(0, p.errors(), "throttles are not failures of the batch");
        }
    }

    @Test
    void a_restart_over_a_data_directory_should_deliver_what_was_not_yet_delivered_once(@TempDir Path dir) throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient ddb = client(engine)) {
            createTable(ddb);
            put(ddb, "a", "b");
            StreamPoller p = poller(engine, 2, StreamCheckpoints.open(dir));
            await("a and b delivered", () -> deliveredKeys().size() == 2);
            p.stop();
            put(ddb, "c", "d"); // written while nothing delivers
        }
        assertTrue(Files.exists(dir.resolve(StreamCheckpoints.FILE)));
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient ddb = client(engine)) {
            StreamPoller p = poller(engine, 2, StreamCheckpoints.open(dir));
            try {
                await("c and d delivered", () -> deliveredKeys().contains("d"));
                put(ddb, "e");
                await("e delivered", () -> deliveredKeys().contains("e"));
            } finally {
                p.stop();
            }
        }
        assertEquals(List.of("a", "b", "c", "d", "e"), deliveredKeys(), "each record once, in order, across the restart");
    }

    @Test
    void starting_at_latest_should_pass_over_what_the_stream_held_at_the_first_start_only(@TempDir Path dir) throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient ddb = client(engine)) {
            createTable(ddb);
            put(ddb, "old-1", "old-2"); // before the mapping existed
            StreamPoller p = poller(engine, 2, true, StreamCheckpoints.open(dir));
            try {
                put(ddb, "new");
                await("the new record delivered", () -> deliveredKeys().contains("new"));
            } finally {
                p.stop();
            }
            put(ddb, "while-stopped");
        }
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(dir).start()) {
            StreamPoller p = poller(engine, 2, true, StreamCheckpoints.open(dir)); // LATEST again, but the mapping has a position
            try {
                await("the record written while stopped delivered", () -> deliveredKeys().contains("while-stopped"));
            } finally {
                p.stop();
            }
        }
        assertEquals(List.of("new", "while-stopped"), deliveredKeys());
    }

    @Test
    void the_templates_starting_position_should_reach_the_poller(@TempDir Path dir) throws Exception {
        String template = Files.readString(Path.of("template.yaml"));
        assertTrue(startsFromLatest(dir, template), "template.yaml's LifecycleFunction says LATEST");
        assertTrue(!startsFromLatest(dir, template.replace("StartingPosition: LATEST", "StartingPosition: TRIM_HORIZON")));
    }

    private static boolean startsFromLatest(Path dir, String yaml) throws Exception {
        Path t = dir.resolve("t.yaml");
        Files.writeString(t, yaml);
        var sources = io.herald.local.template.SamTemplate.load(t, Map.of("Stage", "ws", "DefaultProfile", "topics")).streamSources();
        assertEquals(1, sources.size());
        return sources.get(0).fromLatest();
    }

    @Test
    void an_unreadable_position_file_should_be_set_aside_and_said_not_stop_the_start(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(StreamCheckpoints.FILE), "{not json");
        StreamCheckpoints c = StreamCheckpoints.open(dir);
        assertTrue(c.positions("arn:any").isEmpty());
        assertTrue(Files.exists(dir.resolve(StreamCheckpoints.FILE + ".unreadable")), "kept for a look, not deleted");
        c.delivered("arn:s", "shard-1", "42");
        assertEquals(Map.of("shard-1", "42"), StreamCheckpoints.open(dir).positions("arn:s"));
    }

    @Test
    void a_stream_event_the_stack_cannot_honour_should_stop_the_start_naming_it(@TempDir Path dir) throws Exception {
        String template = Files.readString(Path.of("template.yaml"));
        assertRefused(dir, template.replace("MaximumRetryAttempts: 5\n", "MaximumRetryAttempts: 5\n            ParallelizationFactor: 2\n"),
                "LifecycleFunction (its DynamoDB event): ParallelizationFactor is not emulated");
        assertRefused(dir, template.replace("MaximumRetryAttempts: 5\n", "MaximumRetryAttempts: 20000\n"),
                "LifecycleFunction (its DynamoDB event): MaximumRetryAttempts 20000 is outside -1..10000");
        assertRefused(dir, template.replace("BisectBatchOnFunctionError: true", "BisectBatchOnFunctionError: maybe"),
                "LifecycleFunction (its DynamoDB event): BisectBatchOnFunctionError 'maybe' is not true or false");
        assertRefused(dir, template.replace("                Type: SQS\n                Destination: !GetAtt LifecycleFailuresQueue.Arn",
                "                Type: SNS\n                Destination: !Ref SomeTopic"),
                "LifecycleFunction (its DynamoDB event): DestinationConfig.OnFailure.Type SNS is not emulated by the local stack (SQS is)");
        assertRefused(dir, template.replace("Destination: !GetAtt LifecycleFailuresQueue.Arn", "Destination: !GetAtt ConnectionsTable.Arn"),
                "LifecycleFunction (its DynamoDB event): DestinationConfig.OnFailure.Destination names ConnectionsTable, which is not an SQS queue");
        assertRefused(dir, template.replace("StartingPosition: LATEST", "StartingPosition: AT_TIMESTAMP"),
                "LifecycleFunction (its DynamoDB event): StartingPosition AT_TIMESTAMP is not LATEST or TRIM_HORIZON");
        // the first StreamSpecification in the template is the ConnectionsTable's, which the event reads
        assertRefused(dir, template.replaceFirst(java.util.regex.Pattern.quote("      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}\n"), ""),
                "LifecycleFunction (its DynamoDB event): Stream names ConnectionsTable, which has no StreamSpecification");
    }

    private static void assertRefused(Path dir, String yaml, String expected) throws Exception {
        Path t = dir.resolve("refused.yaml");
        Files.writeString(t, yaml);
        LocalStack s = new LocalStack(LocalOptions.defaults().withPort(0).withTemplate(t));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, s::start);
        s.close();
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void retries_should_back_off_from_a_quarter_second_to_five() {
        assertEquals(250, StreamPoller.retryDelayMillis(0));
        assertEquals(500, StreamPoller.retryDelayMillis(1));
        assertEquals(5000, StreamPoller.retryDelayMillis(5));
        assertEquals(5000, StreamPoller.retryDelayMillis(40));
    }

    @Test
    void a_position_saved_on_an_interrupted_thread_should_reach_the_disk(@TempDir Path dir) throws Exception {
        // stop() interrupts the poller, which may be saving the position of a batch it has delivered
        StreamCheckpoints c = StreamCheckpoints.open(dir);
        Thread.currentThread().interrupt();
        try {
            c.delivered("arn:stream", "shard-1", "42");
        } finally {
            Thread.interrupted();
        }
        assertEquals(Map.of("shard-1", "42"), StreamCheckpoints.open(dir).positions("arn:stream"));
    }
}
