package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.fanout.DeliveredSets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Delivered sets in the ledger table ({@code fod#batchKey}): a string set {@code d} of connection
 * ids, grown by ADD. A batch holds at most 1,000 ids of API Gateway's ~16 characters: about 20 KB,
 * far below the 400 KB item limit.
 */
public final class DynamoDbDeliveredSets implements DeliveredSets {
    private static final String DELIVERED = "d";

    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbDeliveredSets(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    @Override
    public Set<String> delivered(String batchKey) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(PK, s("fod#" + batchKey)))).item();
        AttributeValue d = item == null ? null : item.get(DELIVERED);
        return d == null || !d.hasSs() ? Set.of() : Set.copyOf(d.ss());
    }

    @Override
    public void record(String batchKey, Collection<String> connectionIds, Instant expiresAt) {
        if (connectionIds.isEmpty()) return; // an empty set is no DynamoDB value
        ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s("fod#" + batchKey)))
                .updateExpression("ADD #d :ids SET #ttl = :ttl")
                .expressionAttributeNames(Map.of("#d", DELIVERED, "#ttl", TTL))
                .expressionAttributeValues(Map.of(":ids", AttributeValue.fromSs(List.copyOf(connectionIds)),
                        ":ttl", n(expiresAt.getEpochSecond()))));
    }
}
