package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.model.ItemSize;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Item size and capacity units by AWS's published rounding, and the 1 MB page. */
class FormulaTest {
    static DynamoDbEngine engine;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().start();
        ddb = Sdk.client(engine.endpoint());
        ddb.createTable(b -> b.tableName("cap").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S), a -> a.attributeName("g").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .globalSecondaryIndexes(g -> g.indexName("gsi").keySchema(k -> k.attributeName("g").keyType(KeyType.HASH)).projection(p -> p.projectionType(ProjectionType.ALL))));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void itemSizeFollowsTheDocumentedRules() {
        var s = io.herald.dynamodb.model.AttributeValue.s("héllo"); // 6 UTF-8 bytes
        assertEquals(2 + 6, ItemSize.of(Map.of("ab", s)));
        assertEquals(1 + 1 + 1, ItemSize.of(Map.of("n", io.herald.dynamodb.model.AttributeValue.n("12")))); // 2 digits → 1 byte + 1
        assertEquals(1 + 3 + 1, ItemSize.of(Map.of("n", io.herald.dynamodb.model.AttributeValue.n("12345")))); // 5 digits → 3 bytes + 1
        assertEquals(1 + 1, ItemSize.of(Map.of("b", io.herald.dynamodb.model.AttributeValue.TRUE)));
        // a list: 3 bytes, plus 1 per element, plus the elements
        assertEquals(1 + 3 + (1 + 1) + (1 + 2), ItemSize.of(Map.of("l", io.herald.dynamodb.model.AttributeValue.l(List.of(
                io.herald.dynamodb.model.AttributeValue.NULL, io.herald.dynamodb.model.AttributeValue.s("xy"))))));
    }

    @Test
    void writesRoundUpPerKilobyteAndCountEachIndex() {
        String oneKb = "x".repeat(1024);
        ConsumedCapacity c = ddb.putItem(b -> b.tableName("cap").item(Map.of("pk", AttributeValue.fromS("a"), "g", AttributeValue.fromS("G"), "v", AttributeValue.fromS(oneKb)))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES)).consumedCapacity();
        assertEquals(2.0, c.table().capacityUnits(), "just over 1 KB is 2 write units");
        assertEquals(2.0, c.globalSecondaryIndexes().get("gsi").capacityUnits());
        assertEquals(4.0, c.capacityUnits());
    }

    @Test
    void readsRoundUpPerFourKilobytesHalvedWhenEventuallyConsistent() {
        String fiveKb = "x".repeat(5 * 1024);
        ddb.putItem(b -> b.tableName("cap").item(Map.of("pk", AttributeValue.fromS("r"), "v", AttributeValue.fromS(fiveKb))));
        assertEquals(1.0, ddb.getItem(b -> b.tableName("cap").key(Map.of("pk", AttributeValue.fromS("r")))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits());
        assertEquals(2.0, ddb.getItem(b -> b.tableName("cap").key(Map.of("pk", AttributeValue.fromS("r"))).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits());
        assertEquals(0.5, ddb.getItem(b -> b.tableName("cap").key(Map.of("pk", AttributeValue.fromS("missing")))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().capacityUnits());
        assertEquals(4.0, ddb.transactGetItems(b -> b.transactItems(t -> t.get(g -> g.tableName("cap").key(Map.of("pk", AttributeValue.fromS("r")))))
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)).consumedCapacity().get(0).capacityUnits(), "transactional reads cost double");
    }

    @Test
    void scansStopAtOneMegabyteWithALastKey() {
        ddb.createTable(b -> b.tableName("big").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        String hundredKb = "x".repeat(100 * 1024);
        for (int i = 0; i < 15; i++) {
            int n = i;
            ddb.putItem(b -> b.tableName("big").item(Map.of("pk", AttributeValue.fromS("k" + n), "v", AttributeValue.fromS(hundredKb))));
        }
        var first = ddb.scan(b -> b.tableName("big"));
        assertTrue(first.count() >= 10 && first.count() < 15, "about 1 MB of 100 KB items: " + first.count());
        assertTrue(first.hasLastEvaluatedKey() && !first.lastEvaluatedKey().isEmpty());
        var rest = ddb.scan(b -> b.tableName("big").exclusiveStartKey(first.lastEvaluatedKey()));
        assertEquals(15, first.count() + rest.count());
    }
}
