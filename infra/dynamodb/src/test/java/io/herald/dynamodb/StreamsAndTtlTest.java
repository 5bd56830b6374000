package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** Streams through the real DynamoDbStreamsClient, and TTL deletions as AWS records them. */
class StreamsAndTtlTest {
    static DynamoDbEngine engine;
    static DynamoDbClient ddb;
    static DynamoDbStreamsClient streams;

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().ttlSweepInterval(Duration.ofHours(1)).start(); // swept by hand below
        ddb = Sdk.client(engine.endpoint());
        streams = Sdk.streams(engine.endpoint());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static String table(StreamViewType view) {
        String name = "s-" + System.nanoTime();
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(view)));
        return name;
    }

    static List<Record> records(String table, ShardIteratorType type) {
        String arn = ddb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        var shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0);
        String it = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard.shardId()).shardIteratorType(type)).shardIterator();
        return streams.getRecords(b -> b.shardIterator(it)).records();
    }

    @Test
    void insertModifyRemoveWithImagesByViewType() {
        String t = table(StreamViewType.NEW_AND_OLD_IMAGES);
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("a"), "v", AttributeValue.fromN("1"))));
        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", AttributeValue.fromS("a"))).updateExpression("SET v = :two")
                .expressionAttributeValues(Map.of(":two", AttributeValue.fromN("2"))));
        ddb.deleteItem(b -> b.tableName(t).key(Map.of("pk", AttributeValue.fromS("a"))));
        List<Record> rs = records(t, ShardIteratorType.TRIM_HORIZON);
        assertEquals(List.of("INSERT", "MODIFY", "REMOVE"), rs.stream().map(Record::eventNameAsString).toList());
        assertEquals("1", rs.get(1).dynamodb().oldImage().get("v").n());
        assertEquals("2", rs.get(1).dynamodb().newImage().get("v").n());
        assertTrue(Long.parseLong(rs.get(0).dynamodb().sequenceNumber()) < Long.parseLong(rs.get(1).dynamodb().sequenceNumber()));

        String k = table(StreamViewType.KEYS_ONLY);
        ddb.putItem(b -> b.tableName(k).item(Map.of("pk", AttributeValue.fromS("a"), "v", AttributeValue.fromN("1"))));
        Record only = records(k, ShardIteratorType.TRIM_HORIZON).get(0);
        assertEquals(Map.of("pk", AttributeValue.fromS("a")), only.dynamodb().keys());
        assertTrue(only.dynamodb().newImage().isEmpty());
        assertTrue(records(k, ShardIteratorType.LATEST).isEmpty());
    }

    @Test
    void ttlDeletesExpiredItemsAsTheServiceWithAStreamRecord() {
        String t = table(StreamViewType.OLD_IMAGE);
        ddb.updateTimeToLive(b -> b.tableName(t).timeToLiveSpecification(s -> s.enabled(true).attributeName("exp")));
        long now = System.currentTimeMillis() / 1000;
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("old"), "exp", AttributeValue.fromN(Long.toString(now - 10)))));
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("new"), "exp", AttributeValue.fromN(Long.toString(now + 3600)))));
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("text"), "exp", AttributeValue.fromS("yesterday"))));
        assertEquals(1, engine.sweepExpired());
        assertNull(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", AttributeValue.fromS("old")))).item().isEmpty() ? null : "present");
        assertNotNull(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", AttributeValue.fromS("new")))).item().get("pk"));
        Record remove = records(t, ShardIteratorType.TRIM_HORIZON).stream().filter(r -> r.eventNameAsString().equals("REMOVE")).findFirst().orElseThrow();
        assertEquals("Service", remove.userIdentity().type());
        assertEquals("dynamodb.amazonaws.com", remove.userIdentity().principalId());
        assertEquals("old", remove.dynamodb().oldImage().get("pk").s());
    }

    @Test
    void itemsWrittenBeforeTtlWasEnabledExpireToo() {
        String t = table(StreamViewType.KEYS_ONLY);
        long now = System.currentTimeMillis() / 1000;
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("early"), "exp", AttributeValue.fromN(Long.toString(now - 5)))));
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("ancient"), "exp", AttributeValue.fromN(Long.toString(now - 6L * 365 * 24 * 3600)))));
        ddb.updateTimeToLive(b -> b.tableName(t).timeToLiveSpecification(s -> s.enabled(true).attributeName("exp")));
        assertEquals(1, engine.sweepExpired(), "the expiry index is built from the items already there; over five years old is ignored");
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("renewed"), "exp", AttributeValue.fromN(Long.toString(now - 5)))));
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("renewed"), "exp", AttributeValue.fromN(Long.toString(now + 3600)))));
        assertEquals(0, engine.sweepExpired(), "a rewritten TTL moves the item in the expiry index");
    }

    /**
     * Regression (found by the local stack's kill -9 benchmark, issue 11): after a restart on a data
     * directory, DescribeTable named the stream, but DescribeStream and GetShardIterator answered
     * "Stream ... not found" (the replayed streams were not registered), so the local stack's stream
     * poller failed forever and no stream-triggered function ran again.
     */
    @Test
    void a_tables_stream_should_be_readable_after_a_restart_on_its_data_directory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String arn;
        try (DynamoDbEngine first = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient c = Sdk.client(first.endpoint())) {
            c.createTable(b -> b.tableName("kept").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
            arn = c.describeTable(b -> b.tableName("kept")).table().latestStreamArn();
        }
        try (DynamoDbEngine again = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient c = Sdk.client(again.endpoint());
                DynamoDbStreamsClient s = Sdk.streams(again.endpoint())) {
            assertEquals(arn, c.describeTable(b -> b.tableName("kept")).table().latestStreamArn(), "the same stream, by its ARN");
            String shard = s.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
            c.putItem(b -> b.tableName("kept").item(Map.of("pk", AttributeValue.fromS("after"))));
            String it = s.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            List<Record> records = s.getRecords(b -> b.shardIterator(it)).records();
            assertEquals(List.of("after"), records.stream().map(r -> r.dynamodb().keys().get("pk").s()).toList(), "a write after the restart is streamed");
        }
    }
}
