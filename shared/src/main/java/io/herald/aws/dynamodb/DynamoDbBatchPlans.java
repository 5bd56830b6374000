package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.fanout.BatchPlans;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Batch plans in the ledger table ({@code fop#publication#shard}): one number attribute per
 * encoding ({@code n:profile#topic}), each set by {@code if_not_exists} in one UpdateItem that
 * returns the item, so the first run's count wins and every run reads it in the same call, with no
 * condition to fail. The TTL is the first run's too. A plan past its TTL but not yet deleted is
 * still used: the batch records it describes may outlive it by as long as a batch waited.
 */
public final class DynamoDbBatchPlans implements BatchPlans {
    private static final String COUNT = "n:";
    /** Keeps the update expression well within DynamoDB's 4 KB (a publication has ≤ 20 topics, times the profiles). */
    private static final int NAMES_PER_CALL = 40;

    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbBatchPlans(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    @Override
    public Map<String, Integer> fix(String shardTaskKey, Map<String, Integer> proposed, Instant expiresAt) {
        Map<String, Integer> out = new HashMap<>();
        List<String> names = List.copyOf(proposed.keySet());
        for (int from = 0; from < names.size(); from += NAMES_PER_CALL) {
            List<String> part = names.subList(from, Math.min(names.size(), from + NAMES_PER_CALL));
            Map<String, String> attributeNames = new HashMap<>(Map.of("#ttl", TTL));
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":ttl", n(expiresAt.getEpochSecond())));
            StringJoiner set = new StringJoiner(", ", "SET ", "").add("#ttl = if_not_exists(#ttl, :ttl)");
            for (int i = 0; i < part.size(); i++) {
                attributeNames.put("#n" + i, COUNT + part.get(i));
                values.put(":n" + i, n(proposed.get(part.get(i))));
                set.add("#n" + i + " = if_not_exists(#n" + i + ", :n" + i + ")");
            }
            Map<String, AttributeValue> item = ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s("fop#" + shardTaskKey)))
                    .updateExpression(set.toString()).expressionAttributeNames(attributeNames)
                    .expressionAttributeValues(values).returnValues(ReturnValue.ALL_NEW)).attributes();
            for (String name : part) {
                AttributeValue v = item.get(COUNT + name);
                if (v == null || v.n() == null) throw new IllegalStateException("batch plan " + shardTaskKey + " lacks " + name);
                out.put(name, Integer.parseInt(v.n()));
            }
        }
        return out;
    }
}
