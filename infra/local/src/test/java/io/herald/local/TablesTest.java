package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.DynamoDbEngine;
import io.herald.local.template.SamTemplate;
import io.herald.local.template.Tables;
import io.herald.testing.EmbeddedDynamoDb;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Tables kept in a --data-dir from an earlier run: reused when they match, refused when not. */
class TablesTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static List<SamTemplate.Table> renamed(String prefix) throws Exception {
        return SamTemplate.load(Path.of("template.yaml"), Map.of()).tables().stream()
                .map(t -> new SamTemplate.Table(prefix + t.name(), t.properties())).toList();
    }

    @Test
    void matching_tables_should_be_reused_with_their_items() throws Exception {
        List<SamTemplate.Table> tables = renamed("keep");
        Tables.create(ddb.client(), tables);
        ddb.client().putItem(b -> b.tableName("keepConnectionsTable").item(Map.of("connectionId", AttributeValue.fromS("c1"))));
        assertDoesNotThrow(() -> Tables.create(ddb.client(), tables), "a second start over the same data");
        assertEquals(1, ddb.client().scan(b -> b.tableName("keepConnectionsTable")).count());
    }

    @Test
    void a_kept_table_with_other_keys_should_be_refused_and_left_alone() throws Exception {
        // the subscriptions table as it was before its attributes got one-letter names
        ddb.client().createTable(b -> b.tableName("oldSubscriptionsTable").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("bucket").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sub").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("bucket").keyType(KeyType.HASH), k -> k.attributeName("sub").keyType(KeyType.RANGE)));
        ddb.client().putItem(b -> b.tableName("oldSubscriptionsTable")
                .item(Map.of("bucket", AttributeValue.fromS("t:a#0"), "sub", AttributeValue.fromS("c1"))));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tables.create(ddb.client(), renamed("old")));
        assertTrue(e.getMessage().contains("oldSubscriptionsTable") && e.getMessage().contains("[bucket HASH, sub RANGE]")
                && e.getMessage().contains("[b HASH, s RANGE], index byConnection [c HASH, b RANGE]")
                && e.getMessage().contains("move the data directory away"), e.getMessage());
        assertEquals(1, ddb.client().scan(b -> b.tableName("oldSubscriptionsTable")).count(), "nothing was dropped");
    }

    @Test
    void a_start_refused_over_a_kept_table_should_close_its_engine_and_free_the_directory(@TempDir Path dir)
            throws Exception {
        try (DynamoDbEngine e = DynamoDbEngine.builder().dataDir(dir).start();
                DynamoDbClient c = LocalJarIT.dynamo(e.endpoint().toString())) {
            c.createTable(b -> b.tableName("ConnectionsTable").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
        }
        LocalOptions options = LocalOptions.defaults().withPort(0).withDataDir(dir);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new LocalStack(options).start());
        assertTrue(refused.getMessage().contains("ConnectionsTable"), refused.getMessage());
        // the refused start opened the directory's engine before it read the tables; it closed it again
        assertDoesNotThrow(() -> DynamoDbEngine.builder().dataDir(dir).start().close());
    }
}
