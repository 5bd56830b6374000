package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.store.PublicationLedger;
import io.herald.core.store.StatsStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The ledger table: publication ids (conditional put, TTL = the dedup window) and the stats
 * counters (one item, atomic ADD).
 */
public final class DynamoDbLedger implements PublicationLedger, StatsStore {
    private static final String STATS_KEY = "stats";

    private final DynamoDbClient ddb;
    private final String table;
    private final Duration window;

    public DynamoDbLedger(DynamoDbClient ddb, String table, Duration window) {
        this.ddb = ddb;
        this.table = table;
        this.window = window;
    }

    @Override
    public boolean claim(String publicationId, Instant now) {
        long nowSec = now.getEpochSecond();
        try {
            // an expired claim (TTL passed, not yet deleted) may be taken over
            ddb.putItem(b -> b.tableName(table)
                    .item(Map.of(PK, s("pub#" + publicationId), TTL, n(now.plus(window).getEpochSecond())))
                    .conditionExpression("attribute_not_exists(#pk) OR #ttl <= :now")
                    .expressionAttributeNames(Map.of("#pk", PK, "#ttl", TTL))
                    .expressionAttributeValues(Map.of(":now", n(nowSec))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void add(Map<String, Long> deltas) {
        if (deltas.isEmpty()) return;
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder expr = new StringBuilder("ADD ");
        int i = 0;
        for (Map.Entry<String, Long> d : deltas.entrySet()) {
            if (i > 0) expr.append(", ");
            expr.append("#k").append(i).append(" :v").append(i);
            names.put("#k" + i, d.getKey());
            values.put(":v" + i, n(d.getValue()));
            i++;
        }
        ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s(STATS_KEY))).updateExpression(expr.toString())
                .expressionAttributeNames(names).expressionAttributeValues(values));
    }

    @Override
    public Map<String, Long> read() {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(Map.of(PK, s(STATS_KEY)))).item();
        Map<String, Long> out = new HashMap<>();
        if (item != null) {
            item.forEach((k, v) -> {
                if (v.n() != null) out.put(k, Math.max(0, Long.parseLong(v.n())));
            });
        }
        return out;
    }
}
