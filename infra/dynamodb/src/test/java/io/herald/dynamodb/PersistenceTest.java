package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The standalone engine as a real process: acknowledged writes survive kill -9; bad directories are refused. */
class PersistenceTest {
    record Running(Process process, URI endpoint) {}

    static Running launch(Path dir, String... extra) throws IOException {
        return launchWith(List.of(), dir, extra);
    }

    static Running launchWith(List<String> jvmOptions, Path dir, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--port", "0", "--data-dir", dir.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("DynamoDB  ")) return new Running(p, URI.create(line.substring("DynamoDB  ".length()).trim()));
        }
        throw new IllegalStateException("engine did not start:\n" + seen);
    }

    static String failure(Path dir) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--port", "0", "--data-dir", dir.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void acknowledgedWritesSurviveKill9(@TempDir Path dir) throws Exception {
        Running first = launch(dir);
        try (DynamoDbClient ddb = Sdk.client(first.endpoint())) {
            ddb.createTable(b -> b.tableName("kept").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            for (int i = 0; i < 200; i++) {
                int n = i;
                ddb.putItem(b -> b.tableName("kept").item(Map.of("pk", AttributeValue.fromS("k" + n), "n", AttributeValue.fromN(Integer.toString(n)))));
            }
            ddb.deleteItem(b -> b.tableName("kept").key(Map.of("pk", AttributeValue.fromS("k7"))));
            ddb.updateItem(b -> b.tableName("kept").key(Map.of("pk", AttributeValue.fromS("k8"))).updateExpression("SET n = :v")
                    .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("-8"))));
        }
        first.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        first.process().waitFor();

        Running second = launch(dir);
        try (DynamoDbClient ddb = Sdk.client(second.endpoint())) {
            assertEquals(199, ddb.scan(b -> b.tableName("kept")).count());
            assertTrue(ddb.getItem(b -> b.tableName("kept").key(Map.of("pk", AttributeValue.fromS("k7")))).item().isEmpty());
            assertEquals("-8", ddb.getItem(b -> b.tableName("kept").key(Map.of("pk", AttributeValue.fromS("k8")))).item().get("n").n());
        } finally {
            second.process().destroyForcibly();
            second.process().waitFor();
        }
    }

    /** Every record of the table's stream, from its start. */
    static List<Record> streamRecords(DynamoDbStreamsClient streams, String arn) {
        String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String it = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<Record> out = new ArrayList<>();
        while (true) {
            String at = it;
            GetRecordsResponse r = streams.getRecords(b -> b.shardIterator(at));
            out.addAll(r.records());
            if (r.records().isEmpty()) return out;
            it = r.nextShardIterator();
        }
    }

    static void kill(Running r) throws InterruptedException {
        r.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        r.process().waitFor();
    }

    @Test
    void streamRecordsSurviveKill9AndCompactionWithTheirNumbersTimesAndIds(@TempDir Path dir) throws Exception {
        Map<String, AttributeValue> k1 = Map.of("pk", AttributeValue.fromS("k1"));
        Running first = launch(dir, "--ttl-interval", "1");
        String arn;
        String start;
        List<Record> before;
        try (DynamoDbClient ddb = Sdk.client(first.endpoint()); DynamoDbStreamsClient streams = Sdk.streams(first.endpoint())) {
            ddb.createTable(b -> b.tableName("str").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                    .streamSpecification(x -> x.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
            ddb.updateTimeToLive(b -> b.tableName("str").timeToLiveSpecification(x -> x.attributeName("exp").enabled(true)));
            ddb.putItem(b -> b.tableName("str").item(Map.of("pk", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("1"))));
            ddb.putItem(b -> b.tableName("str").item(Map.of("pk", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("2"))));
            ddb.putItem(b -> b.tableName("str").item(Map.of("pk", AttributeValue.fromS("k1"), "v", AttributeValue.fromN("2")))); // no change, no record
            ddb.putItem(b -> b.tableName("str").item(Map.of("pk", AttributeValue.fromS("k2"))));
            ddb.deleteItem(b -> b.tableName("str").key(Map.of("pk", AttributeValue.fromS("k2"))));
            ddb.transactWriteItems(b -> b.transactItems(
                    t -> t.put(p -> p.tableName("str").item(Map.of("pk", AttributeValue.fromS("k3"), "exp", AttributeValue.fromN(Long.toString(System.currentTimeMillis() / 1000 - 60)))))
                    , t -> t.update(u -> u.tableName("str").key(k1).updateExpression("SET v = :v").expressionAttributeValues(Map.of(":v", AttributeValue.fromN("3"))))));
            arn = ddb.describeTable(b -> b.tableName("str")).table().latestStreamArn();
            start = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).sequenceNumberRange().startingSequenceNumber();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            do {
                before = streamRecords(streams, arn); // k3 expired a minute ago: the sweeper removes it within a second or two
            } while (before.size() < 7 && System.nanoTime() < deadline && sleep(100));
        }
        assertEquals(List.of("INSERT", "MODIFY", "INSERT", "REMOVE", "INSERT", "MODIFY", "REMOVE"),
                before.stream().map(r -> r.eventNameAsString()).toList());
        assertEquals("dynamodb.amazonaws.com", before.get(6).userIdentity().principalId(), "the TTL deletion's record");
        kill(first);

        // replayed from the journal's own records
        Running second = launch(dir);
        String last = before.get(before.size() - 1).dynamodb().sequenceNumber();
        Record k4;
        try (DynamoDbClient ddb = Sdk.client(second.endpoint()); DynamoDbStreamsClient streams = Sdk.streams(second.endpoint())) {
            assertEquals(arn, ddb.describeTable(b -> b.tableName("str")).table().latestStreamArn());
            assertEquals(start, streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).sequenceNumberRange().startingSequenceNumber());
            assertEquals(before, streamRecords(streams, arn), "the same records: numbers, times, images, event ids");
            String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
            String after = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                    .sequenceNumber(last)).shardIterator();
            GetRecordsResponse none = streams.getRecords(b -> b.shardIterator(after));
            assertTrue(none.records().isEmpty(), "a reader that saw the last record before the kill resumes after it");
            ddb.putItem(b -> b.tableName("str").item(Map.of("pk", AttributeValue.fromS("k4"))));
            List<Record> next = streams.getRecords(b -> b.shardIterator(none.nextShardIterator())).records();
            assertEquals(1, next.size());
            k4 = next.get(0);
            assertTrue(new java.math.BigInteger(k4.dynamodb().sequenceNumber()).compareTo(new java.math.BigInteger(last)) > 0,
                    "numbers after a restart follow the replayed ones");
        }
        kill(second);

        // the second start compacted the journal: now the records come from its snapshot
        Running third = launch(dir);
        try (DynamoDbStreamsClient streams = Sdk.streams(third.endpoint())) {
            List<Record> all = new ArrayList<>(before);
            all.add(k4);
            assertEquals(all, streamRecords(streams, arn));
        } finally {
            kill(third);
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    @Test
    void journalIsCompactedWhileWritersRunAndLosesNothingAcrossKill9(@TempDir Path dir) throws Exception {
        Running first = launch(dir, "--compact-after-bytes", "65536");
        Path journal = dir.resolve("herald-dynamodb.journal");
        Map<String, String> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
        long written;
        try (DynamoDbClient ddb = Sdk.client(first.endpoint())) {
            ddb.createTable(b -> b.tableName("churn").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            String pad = "x".repeat(400);
            java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 600; i++) {
                        // each writer owns its keys, so the last acknowledged value of each is known
                        String key = "w" + writer + "-" + (i % 20), value = writer + ":" + i;
                        if (i % 50 == 49) {
                            ddb.deleteItem(b -> b.tableName("churn").key(Map.of("pk", AttributeValue.fromS(key))));
                            acknowledged.put(key, "deleted");
                        } else {
                            ddb.putItem(b -> b.tableName("churn").item(Map.of("pk", AttributeValue.fromS(key), "v", AttributeValue.fromS(value),
                                    "pad", AttributeValue.fromS(pad))));
                            acknowledged.put(key, value);
                        }
                        bytes.addAndGet(450);
                    }
                });
                t.start();
                writers.add(t);
            }
            for (Thread t : writers) t.join();
            written = bytes.get();
            // compaction runs once a second; the journal shrinks back to about the live data (120 items)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.size(journal) > 200_000 && System.nanoTime() < deadline) Thread.sleep(100);
        }
        assertTrue(written > 1_500_000, "the writers produced history: " + written);
        assertTrue(Files.size(journal) < 200_000, "journal compacted while running: " + Files.size(journal) + " bytes");
        first.process().destroyForcibly();
        first.process().waitFor();

        Running second = launch(dir);
        try (DynamoDbClient ddb = Sdk.client(second.endpoint())) {
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName("churn").key(Map.of("pk", AttributeValue.fromS(e.getKey())))
                        .consistentRead(true)).item();
                if (e.getValue().equals("deleted")) assertTrue(item.isEmpty(), e.getKey() + " was deleted last");
                else assertEquals(e.getValue(), item.get("v").s(), e.getKey());
            }
        } finally {
            second.process().destroyForcibly();
            second.process().waitFor();
        }
    }

    @Test
    void tornLastRecordIsDroppedButCorruptionIsRefused(@TempDir Path dir) throws Exception {
        Running r = launch(dir);
        try (DynamoDbClient ddb = Sdk.client(r.endpoint())) {
            ddb.createTable(b -> b.tableName("ttt").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            ddb.putItem(b -> b.tableName("ttt").item(Map.of("pk", AttributeValue.fromS("a"))));
        }
        r.process().destroyForcibly();
        r.process().waitFor();
        Path journal = dir.resolve("herald-dynamodb.journal");
        Files.writeString(journal, "0badc0de {\"op\":\"put\",\"t\":\"ttt\",\"i\":{\"pk\":{\"S\":\"torn", java.nio.file.StandardOpenOption.APPEND);
        Running again = launch(dir);
        try (DynamoDbClient ddb = Sdk.client(again.endpoint())) {
            assertEquals(1, ddb.scan(b -> b.tableName("ttt")).count());
        } finally {
            again.process().destroyForcibly();
            again.process().waitFor();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(journal));
        lines.add(1, "deadbeef {\"op\":\"drop\",\"name\":\"ttt\"}");
        Files.write(journal, lines);
        String out = failure(dir);
        assertTrue(out.contains("corrupt at line 2"), out);
    }

    @Test
    void foreignDirectoriesAreNamedNotOverwritten(@TempDir Path dir) throws Exception {
        Path ddbLocal = Files.createDirectories(dir.resolve("ddblocal"));
        Files.writeString(ddbLocal.resolve("shared-local-instance.db"), "SQLite format 3");
        assertTrue(failure(ddbLocal).contains("DynamoDB Local"));
        assertEquals(List.of("shared-local-instance.db"), names(ddbLocal), "nothing written beside them");
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("herald-dynamodb.journal"), "hello");
        assertTrue(failure(other).contains("is not a Herald DynamoDB journal"));
        assertEquals("hello", Files.readString(other.resolve("herald-dynamodb.journal")));
        assertEquals(List.of("herald-dynamodb.journal"), names(other));
    }

    static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSecondEngineOnTheSameDirectoryIsRefusedUntilTheFirstIsGone(@TempDir Path dir) throws Exception {
        Running first = launch(dir);
        try {
            String out = failure(dir);
            assertTrue(out.contains("is in use by another running engine"), out);
            // in this JVM too, and the refused engine leaves the running one's lock alone
            var inJvm = assertThrows(java.io.UncheckedIOException.class, () -> DynamoDbEngine.builder().dataDir(dir).start());
            assertTrue(inJvm.getMessage().contains("is in use"), inJvm.getMessage());
            assertTrue(failure(dir).contains("is in use"));
        } finally {
            first.process().destroyForcibly(); // kill -9: the OS releases the lock with the process
            first.process().waitFor();
        }
        try (DynamoDbEngine again = DynamoDbEngine.builder().dataDir(dir).start()) {
            assertTrue(again.port() > 0);
        }
        try (DynamoDbEngine afterClose = DynamoDbEngine.builder().dataDir(dir).start()) {
            assertTrue(afterClose.port() > 0, "close() gave the lock back");
        }
    }

    @Test
    void closedStreamsStayListedAndReadableAcrossRestartsAndCompaction(@TempDir Path dir) throws Exception {
        String disabled;
        String ofDeleted;
        try (DynamoDbEngine e = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient c = Sdk.client(e.endpoint())) {
            for (String t : List.of("kept", "gone")) {
                c.createTable(b -> b.tableName(t).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                        .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                        .streamSpecification(x -> x.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
            }
            disabled = c.describeTable(b -> b.tableName("kept")).table().latestStreamArn();
            ofDeleted = c.describeTable(b -> b.tableName("gone")).table().latestStreamArn();
            for (String k : List.of("k1", "k2")) c.putItem(b -> b.tableName("kept").item(Map.of("pk", AttributeValue.fromS(k))));
            c.updateTable(b -> b.tableName("kept").streamSpecification(x -> x.streamEnabled(false)));
            c.putItem(b -> b.tableName("kept").item(Map.of("pk", AttributeValue.fromS("after")))); // no stream to take it
            c.putItem(b -> b.tableName("gone").item(Map.of("pk", AttributeValue.fromS("g1"))));
            c.deleteTable(b -> b.tableName("gone"));
        }
        // the first restart replays the journal as written; the second reads the snapshot the first one wrote
        for (int restart = 1; restart <= 2; restart++) {
            try (DynamoDbEngine e = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient c = Sdk.client(e.endpoint());
                    DynamoDbStreamsClient streams = Sdk.streams(e.endpoint())) {
                String round = "restart " + restart;
                List<String> listed = streams.listStreams(b -> { }).streams().stream().map(x -> x.streamArn()).toList();
                assertTrue(listed.contains(disabled) && listed.contains(ofDeleted), round + ": " + listed);
                assertEquals(List.of("k1", "k2"), keysIn(streams, disabled), round);
                assertEquals(List.of("g1"), keysIn(streams, ofDeleted), round);
                for (String arn : List.of(disabled, ofDeleted)) {
                    var d = streams.describeStream(b -> b.streamArn(arn)).streamDescription();
                    assertEquals("DISABLED", d.streamStatusAsString(), round);
                    assertTrue(d.shards().get(0).sequenceNumberRange().endingSequenceNumber() != null, round + ": its shard is closed");
                }
                var kept = c.describeTable(b -> b.tableName("kept")).table();
                assertEquals(disabled, kept.latestStreamArn(), round);
                assertTrue(kept.streamSpecification() == null || !kept.streamSpecification().streamEnabled(), round);
            }
        }
    }

    @Test
    void aClosedStreamIsKeptForADayAfterItClosedAndNotLonger(@TempDir Path dir) throws Exception {
        try (DynamoDbEngine e = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient c = Sdk.client(e.endpoint())) {
            c.createTable(b -> b.tableName("day").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                    .streamSpecification(x -> x.streamEnabled(true).streamViewType(StreamViewType.KEYS_ONLY)));
            c.putItem(b -> b.tableName("day").item(Map.of("pk", AttributeValue.fromS("a"))));
            c.deleteTable(b -> b.tableName("day"));
        }
        long hour = 3_600_000L;
        // restarts as if 23 and then 25 hours had passed since the table was deleted
        try (io.herald.dynamodb.storage.Database db = io.herald.dynamodb.storage.Database.open(dir, "us-east-1",
                () -> System.currentTimeMillis() + 23 * hour)) {
            assertEquals(1, db.streams().size(), "within its day");
        }
        try (io.herald.dynamodb.storage.Database db = io.herald.dynamodb.storage.Database.open(dir, "us-east-1",
                () -> System.currentTimeMillis() + 25 * hour)) {
            assertEquals(0, db.streams().size(), "its day is over");
        }
        try (io.herald.dynamodb.storage.Database db = io.herald.dynamodb.storage.Database.open(dir, "us-east-1", System::currentTimeMillis)) {
            assertEquals(0, db.streams().size(), "and the snapshot written then no longer holds it");
        }
    }

    static List<String> keysIn(DynamoDbStreamsClient streams, String arn) {
        String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String it = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        return streams.getRecords(b -> b.shardIterator(it)).records().stream().map(r -> r.dynamodb().keys().get("pk").s()).toList();
    }

    @Test
    void badOptionsExitWith2AndSayWhy() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--port", "eighty").redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("--port must be a number"));
    }
}
