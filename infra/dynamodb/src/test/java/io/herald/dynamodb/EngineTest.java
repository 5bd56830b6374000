package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** The engine through the real AWS SDK: tables, items, indexes, pages, capacity, transactions, atomicity. */
class EngineTest {
    static DynamoDbEngine engine;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().start();
        ddb = Sdk.client(engine.endpoint());
    }

    @AfterAll
    static void stop() {
        ddb.close();
        engine.close();
    }

    static String table() {
        String name = "t-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.N),
                        a -> a.attributeName("g").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE))
                .globalSecondaryIndexes(g -> g.indexName("byG").keySchema(k -> k.attributeName("g").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))));
        return name;
    }

    static AttributeValue s(String s) {
        return AttributeValue.fromS(s);
    }

    static AttributeValue n(String n) {
        return AttributeValue.fromN(n);
    }

    @Test
    void createDescribeDeleteTable() {
        String t = table();
        var d = ddb.describeTable(b -> b.tableName(t)).table();
        assertEquals("ACTIVE", d.tableStatusAsString());
        assertEquals("byG", d.globalSecondaryIndexes().get(0).indexName());
        assertTrue(d.tableArn().endsWith(":table/" + t));
        assertThrows(ResourceInUseException.class, () -> table2(t));
        ddb.deleteTable(b -> b.tableName(t));
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, () -> ddb.describeTable(b -> b.tableName(t)));
        assertTrue(e.getMessage().startsWith("Requested resource not found"), e.getMessage());
    }

    private static void table2(String name) {
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    }

    @Test
    void putGetNormalisesNumbersAndKeepsTypes() {
        String t = table();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "sk", n("1.50"), "big", n("12345678901234567890123456789012345678"),
                "set", AttributeValue.fromSs(List.of("x", "y")), "m", AttributeValue.fromM(Map.of("l", AttributeValue.fromL(List.of(n("0.0"), AttributeValue.fromBool(true))))))));
        var item = ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("a"), "sk", n("1.5"))).consistentRead(true)).item();
        assertEquals("1.5", item.get("sk").n());
        assertEquals("12345678901234567890123456789012345678", item.get("big").n());
        assertEquals(List.of("x", "y"), item.get("set").ss());
        assertEquals("0", item.get("m").m().get("l").l().get(0).n());
        DynamoDbException tooPrecise = assertThrows(DynamoDbException.class, () -> ddb.putItem(b -> b.tableName(t)
                .item(Map.of("pk", s("b"), "sk", n("1"), "x", n("123456789012345678901234567890123456789"))))); 
        assertEquals("Attempting to store more than 38 significant digits in a Number", tooPrecise.awsErrorDetails().errorMessage());
    }

    @Test
    void queryPagesInSortOrderAndCountsCapacity() {
        String t = table();
        for (int i = 0; i < 25; i++) {
            int sk = i;
            ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("p"), "sk", n(Integer.toString(sk)), "g", s("G" + (sk % 2)))));
        }
        List<String> seen = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = ddb.query(b -> b.tableName(t).keyConditionExpression("pk = :p AND sk >= :lo").scanIndexForward(false).limit(10)
                    .expressionAttributeValues(Map.of(":p", s("p"), ":lo", n("5"))).exclusiveStartKey(from)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            r.items().forEach(i -> seen.add(i.get("sk").n()));
            ConsumedCapacity c = r.consumedCapacity();
            assertEquals(0.5, c.capacityUnits()); // eventually consistent, under 4 KB
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            pages++;
        } while (start != null);
        assertEquals(20, seen.size());
        assertEquals("24", seen.get(0));
        assertEquals("5", seen.get(19));
        assertEquals(3, pages, "20 items in pages of 10, the second ends exactly at the limit");
        QueryResponse byIndex = ddb.query(b -> b.tableName(t).indexName("byG").keyConditionExpression("g = :g").expressionAttributeValues(Map.of(":g", s("G1"))));
        assertEquals(12, byIndex.count());
        assertEquals(3, byIndex.items().get(0).size(), "KEYS_ONLY: index key and table key");
    }

    @Test
    void conditionalWritesAreAtomicUnderConcurrency() throws Exception {
        String t = table();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("c"), "sk", n("0"), "v", n("0"))));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger conflicts = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            fs.add(pool.submit(() -> {
                while (true) {
                    var cur = ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("c"), "sk", n("0"))).consistentRead(true)).item().get("v").n();
                    try {
                        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("c"), "sk", n("0"))).updateExpression("SET v = v + :one")
                                .conditionExpression("v = :cur").expressionAttributeValues(Map.of(":one", n("1"), ":cur", n(cur))));
                        return;
                    } catch (ConditionalCheckFailedException e) {
                        conflicts.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        var v = ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("c"), "sk", n("0"))).consistentRead(true)).item().get("v").n();
        assertEquals("1000", v);
    }

    @Test
    void conditionFailureReturnsTheItemWhenAsked() {
        String t = table();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("k"), "sk", n("1"), "v", s("old"))));
        ConditionalCheckFailedException e = assertThrows(ConditionalCheckFailedException.class, () -> ddb.putItem(b -> b.tableName(t)
                .item(Map.of("pk", s("k"), "sk", n("1"))).conditionExpression("attribute_not_exists(pk)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        assertEquals("old", e.item().get("v").s());
    }

    @Test
    void transactionsApplyAllOrNothing() {
        String t = table();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("x"), "sk", n("1"), "v", n("1"))));
        TransactionCanceledException e = assertThrows(TransactionCanceledException.class, () -> ddb.transactWriteItems(b -> b.transactItems(
                i -> i.put(p -> p.tableName(t).item(Map.of("pk", s("y"), "sk", n("1"))))
                , i -> i.conditionCheck(c -> c.tableName(t).key(Map.of("pk", s("x"), "sk", n("1"))).conditionExpression("v = :two")
                        .expressionAttributeValues(Map.of(":two", n("2")))))));
        assertEquals(List.of("None", "ConditionalCheckFailed"), e.cancellationReasons().stream().map(CancellationReason::code).toList());
        assertFalse(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("y"), "sk", n("1")))).hasItem());
        ddb.transactWriteItems(b -> b.transactItems(
                i -> i.put(p -> p.tableName(t).item(Map.of("pk", s("y"), "sk", n("1")))),
                i -> i.update(u -> u.tableName(t).key(Map.of("pk", s("x"), "sk", n("1"))).updateExpression("ADD v :one")
                        .expressionAttributeValues(Map.of(":one", n("1"))))));
        assertTrue(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("y"), "sk", n("1")))).hasItem());
        assertEquals("2", ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("x"), "sk", n("1")))).item().get("v").n());
        var got = ddb.transactGetItems(b -> b.transactItems(i -> i.get(g -> g.tableName(t).key(Map.of("pk", s("x"), "sk", n("1")))),
                i -> i.get(g -> g.tableName(t).key(Map.of("pk", s("none"), "sk", n("1")))))).responses();
        assertEquals("2", got.get(0).item().get("v").n());
        assertNull(got.get(1).item().isEmpty() ? null : got.get(1).item());
    }

    @Test
    void itemSizeLimitIsAwsFormula() {
        String t = table();
        String big = "x".repeat(400 * 1024 - 2 - 2 - 1 - 1); // pk "a"(2+1) + sk 1 (2+2) + name "v"(1) + value
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "sk", n("1"), "v", s(big.substring(0, big.length() - 10)))));
        DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.putItem(b -> b.tableName(t)
                .item(Map.of("pk", s("a"), "sk", n("1"), "v", s("x".repeat(400 * 1024))))));
        assertEquals("Item size has exceeded the maximum allowed size", e.awsErrorDetails().errorMessage());
        assertNotNull(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("a"), "sk", n("1")))).item());
    }
}
