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
 * Delivered sets in the ledger table ({@code fod#key}): a string set {@code d} of connection ids,
 * grown by ADD, a thousand at a time. A batch holds at most 1,000 ids of API Gateway's ~16
 * characters (about 20 KB), an inline publication at most its inline limit (2,000 by default);
 * only an inline fan-out without a queue, past about 20,000 reached, outgrows the 400 KB item,
 * and its record then fails (the retry posts to those not recorded again).
 */
public final class DynamoDbDeliveredSets implements DeliveredSets {
    private static final String DELIVERED = "d";
    private static final int PER_CALL = 1000;

    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbDeliveredSets(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    @Override
    public Set<String> delivered(String key) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(PK, s("fod#" + key)))).item();
        AttributeValue d = item == null ? null : item.get(DELIVERED);
        return d == null || !d.hasSs() ? Set.of() : Set.copyOf(d.ss());
    }

    @Override
    public void record(String key, Collection<String> connectionIds, Instant expiresAt) {
        List<String> ids = List.copyOf(connectionIds); // an empty set is no DynamoDB value: no call
        for (int from = 0; from < ids.size(); from += PER_CALL) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + PER_CALL));
            ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s("fod#" + key)))
                    .updateExpression("ADD #d :ids SET #ttl = :ttl")
                    .expressionAttributeNames(Map.of("#d", DELIVERED, "#ttl", TTL))
                    .expressionAttributeValues(Map.of(":ids", AttributeValue.fromSs(chunk), ":ttl", n(expiresAt.getEpochSecond()))));
        }
    }
}
