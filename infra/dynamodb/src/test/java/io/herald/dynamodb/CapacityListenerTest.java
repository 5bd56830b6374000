package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The builder's capacity listener: each table's units as billed, with the wire answers unchanged. */
class CapacityListenerTest {
    static final Map<String, double[]> UNITS = new ConcurrentHashMap<>();
    static DynamoDbEngine engine;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().capacityListener((table, read, write) -> {
            double[] u = UNITS.computeIfAbsent(table, k -> new double[2]);
            synchronized (u) {
                u[0] += read;
                u[1] += write;
            }
        }).start();
        ddb = Sdk.client(engine.endpoint());
        ddb.createTable(b -> b.tableName("cap").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void each_table_should_be_told_its_units_and_callers_that_did_not_ask_should_not_see_them() {
        var put = ddb.putItem(b -> b.tableName("cap").item(Map.of("pk", AttributeValue.fromS("a"),
                "big", AttributeValue.fromS("x".repeat(1500)))));
        assertNull(put.consumedCapacity(), "not asked for: not answered");
        var get = ddb.getItem(b -> b.tableName("cap").key(Map.of("pk", AttributeValue.fromS("a"))));
        assertNull(get.consumedCapacity());
        var asked = ddb.getItem(b -> b.tableName("cap").key(Map.of("pk", AttributeValue.fromS("a"))).consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        assertNotNull(asked.consumedCapacity());
        assertEquals(1.0, asked.consumedCapacity().capacityUnits());
        ddb.query(b -> b.tableName("cap").keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("none"))));
        // a refused conditional write is not reported (the listener sees successful requests only)
        assertThrows(ConditionalCheckFailedException.class, () -> ddb.putItem(b -> b.tableName("cap")
                .item(Map.of("pk", AttributeValue.fromS("a"))).conditionExpression("attribute_not_exists(pk)")));
        double[] u = UNITS.get("cap");
        // write: a 1.5 KB item is 2 WCU; reads: 0.5 (eventual) + 1 (strong) + 0.5 (an empty Query)
        assertEquals(2.0, u[1], 1e-9);
        assertEquals(2.0, u[0], 1e-9);
    }
}
