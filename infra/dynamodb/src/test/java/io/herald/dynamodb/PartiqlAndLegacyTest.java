package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeAction;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DuplicateItemException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** PartiQL statements and the pre-expression parameters, through the SDK. */
class PartiqlAndLegacyTest {
    static DynamoDbEngine engine;
    static DynamoDbClient ddb;

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().start();
        ddb = Sdk.client(engine.endpoint());
        Sdk.hashTable(ddb, "pql");
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** A PAY_PER_REQUEST table keyed by pk (S). */
    static Map<String, AttributeValue> get(String pk) {
        return ddb.getItem(b -> b.tableName("pql").key(Map.of("pk", AttributeValue.fromS(pk)))).item();
    }

    @Test
    void insertSelectUpdateDelete() {
        ddb.executeStatement(b -> b.statement("INSERT INTO \"pql\" VALUE {'pk': 'a', 'n': 1, 'm': {'x': 'deep'}, 's': <<'p', 'q'>>}"));
        assertThrows(DuplicateItemException.class, () -> ddb.executeStatement(b -> b.statement("INSERT INTO \"pql\" VALUE {'pk': 'a'}")));
        var rows = ddb.executeStatement(b -> b.statement("SELECT m.x, n FROM \"pql\" WHERE pk = ? AND n > 0")
                .parameters(AttributeValue.fromS("a"))).items();
        assertEquals(List.of(Map.of("x", AttributeValue.fromS("deep"), "n", AttributeValue.fromN("1"))), rows);
        ddb.executeStatement(b -> b.statement("UPDATE \"pql\" SET n = 2 REMOVE m WHERE pk = 'a'"));
        assertEquals("2", get("a").get("n").n());
        assertTrue(!get("a").containsKey("m"));
        assertThrows(ConditionalCheckFailedException.class, () -> ddb.executeStatement(b -> b.statement("UPDATE \"pql\" SET n = 3 WHERE pk = 'nobody'")));
        assertThrows(ConditionalCheckFailedException.class, () -> ddb.executeStatement(b -> b.statement("DELETE FROM \"pql\" WHERE pk = 'a' AND n = 9")),
                "the item is there and the rest of the WHERE is false");
        ddb.executeStatement(b -> b.statement("DELETE FROM \"pql\" WHERE pk = 'a' AND n = 2"));
        assertTrue(get("a").isEmpty());
        // deleting an item that is not there succeeds with nothing deleted (the DELETE reference's note)
        ddb.executeStatement(b -> b.statement("DELETE FROM \"pql\" WHERE pk = 'a'"));
        ddb.executeStatement(b -> b.statement("DELETE FROM \"pql\" WHERE pk = 'nobody' AND n = 9"));
        DynamoDbException bad = assertThrows(DynamoDbException.class, () -> ddb.executeStatement(b -> b.statement("SELECTT * FROMM \"pql\"")));
        assertEquals("ValidationException", bad.awsErrorDetails().errorCode());
    }

    @Test
    void transactionsOfStatementsAreAllOrNothing() {
        ddb.executeStatement(b -> b.statement("INSERT INTO \"pql\" VALUE {'pk': 'dup'}"));
        TransactionCanceledException e = assertThrows(TransactionCanceledException.class, () -> ddb.executeTransaction(b -> b.transactStatements(
                s -> s.statement("INSERT INTO \"pql\" VALUE {'pk': 'fresh'}"), s -> s.statement("INSERT INTO \"pql\" VALUE {'pk': 'dup'}"))));
        assertEquals("DuplicateItem", e.cancellationReasons().get(1).code());
        assertTrue(get("fresh").isEmpty());
    }

    @Test
    void legacyParametersBehaveLikeTheirExpressions() {
        ddb.putItem(b -> b.tableName("pql").item(Map.of("pk", AttributeValue.fromS("L"), "n", AttributeValue.fromN("5"), "tags", AttributeValue.fromSs(List.of("a")))));
        assertThrows(ConditionalCheckFailedException.class, () -> ddb.putItem(b -> b.tableName("pql").item(Map.of("pk", AttributeValue.fromS("L")))
                .expected(Map.of("n", ExpectedAttributeValue.builder().comparisonOperator(ComparisonOperator.GT).attributeValueList(AttributeValue.fromN("9")).build()))));
        var updated = ddb.updateItem(b -> b.tableName("pql").key(Map.of("pk", AttributeValue.fromS("L"))).returnValues(ReturnValue.UPDATED_NEW)
                .attributeUpdates(Map.of("n", AttributeValueUpdate.builder().action(AttributeAction.ADD).value(AttributeValue.fromN("2")).build(),
                        "tags", AttributeValueUpdate.builder().action(AttributeAction.ADD).value(AttributeValue.fromSs(List.of("b"))).build()))).attributes();
        assertEquals("7", updated.get("n").n());
        assertEquals(2, updated.get("tags").ss().size());
        var scanned = ddb.scan(b -> b.tableName("pql").scanFilter(Map.of("n", Condition.builder().comparisonOperator(ComparisonOperator.BETWEEN)
                .attributeValueList(AttributeValue.fromN("6"), AttributeValue.fromN("8")).build())).attributesToGet("pk")).items();
        assertEquals(List.of(Map.of("pk", AttributeValue.fromS("L"))), scanned);
        DynamoDbException mixed = assertThrows(DynamoDbException.class, () -> ddb.putItem(b -> b.tableName("pql").item(Map.of("pk", AttributeValue.fromS("L")))
                .conditionExpression("attribute_exists(pk)").expected(Map.of("n", ExpectedAttributeValue.builder().exists(false).build()))));
        assertTrue(mixed.awsErrorDetails().errorMessage().startsWith("Can not use both expression and non-expression parameters"));
    }

    @Test
    void selectAnswersOnePageAtATimeWithANextToken() {
        Sdk.hashTable(ddb, "pages");
        for (int i = 0; i < 5; i++) {
            int k = i;
            ddb.putItem(b -> b.tableName("pages").item(Map.of("pk", AttributeValue.fromS("p" + k))));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        String token = null;
        int calls = 0;
        do {
            String from = token;
            var page = ddb.executeStatement(b -> b.statement("SELECT * FROM \"pages\"").limit(2).nextToken(from)
                    .returnConsumedCapacity(software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity.TOTAL));
            assertTrue(page.items().size() <= 2, page.toString());
            assertNotNull(page.consumedCapacity(), "asked for");
            page.items().forEach(i -> assertTrue(seen.add(i.get("pk").s()), "once each: " + i));
            token = page.nextToken();
            calls++;
        } while (token != null && calls < 10);
        assertEquals(5, seen.size());
        assertEquals(3, calls, "2 + 2 + 1");
        DynamoDbException bad = assertThrows(DynamoDbException.class, () -> ddb.executeStatement(b -> b.statement("SELECT * FROM \"pages\"").nextToken("not a token")));
        assertEquals("ValidationException", bad.awsErrorDetails().errorCode());
    }

    @Test
    void aSelectByPartitionKeyAnswersItsItemsAtOnceEvenPastTheFirstMegabyte() {
        Sdk.hashTable(ddb, "big");
        String filler = "z".repeat(390 * 1024);
        for (int i = 0; i < 6; i++) {
            int k = i;
            ddb.putItem(b -> b.tableName("big").item(Map.of("pk", AttributeValue.fromS("b" + k), "f", AttributeValue.fromS(filler))));
        }
        // the item a scan reaches last: well past the first 1 MB page
        List<Map<String, AttributeValue>> all = new java.util.ArrayList<>();
        ddb.scanPaginator(b -> b.tableName("big").projectionExpression("pk")).items().forEach(all::add);
        assertEquals(6, all.size());
        String last = all.get(all.size() - 1).get("pk").s();
        var found = ddb.executeStatement(b -> b.statement("SELECT pk FROM \"big\" WHERE pk = ?").parameters(AttributeValue.fromS(last))
                .returnConsumedCapacity(software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity.TOTAL));
        assertEquals(List.of(Map.of("pk", AttributeValue.fromS(last))), found.items(), "a lookup by key, as a Query would answer it");
        assertEquals(null, found.nextToken());
        // the pages it read on through are reported together: ~2.3 MB eventually consistent, over 250 units
        assertNotNull(found.consumedCapacity(), "asked for, also when it reads on");
        assertTrue(found.consumedCapacity().capacityUnits() > 250, found.consumedCapacity().toString());
    }
}

