package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.delivery.RetryPolicy;
import io.herald.core.store.StatsStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The stats counters in the ledger table: sharded over {@code stats#0..9}, atomic ADD, summed on read. */
public final class DynamoDbStats implements StatsStore {
    private static final String STATS_KEY = "stats";
    static final int STATS_SHARDS = 10;

    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbStats(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    /**
     * Adds to one of the counter shards, chosen at random: a reconnect storm's writes spread over
     * {@value #STATS_SHARDS} items (partitions) instead of throttling one.
     */
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
        String shard = STATS_KEY + "#" + ThreadLocalRandom.current().nextInt(STATS_SHARDS);
        ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s(shard))).updateExpression(expr.toString())
                .expressionAttributeNames(names).expressionAttributeValues(values));
    }

    /**
     * The shards summed (one BatchGetItem, its unprocessed keys asked again with backoff, bounded);
     * a shard alone may be negative, a sum below zero reads as zero.
     */
    @Override
    public Map<String, Long> read() {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        keys.add(Map.of(PK, s(STATS_KEY))); // the single item of earlier releases, kept in data directories
        for (int i = 0; i < STATS_SHARDS; i++) keys.add(Map.of(PK, s(STATS_KEY + "#" + i)));
        Map<String, Long> sum = new HashMap<>();
        for (Map<String, AttributeValue> item : BatchGet.consistent(ddb, table, keys, RetryPolicy.DEFAULT, Thread::sleep)) {
            item.forEach((k, v) -> {
                if (v.n() != null) sum.merge(k, Long.parseLong(v.n()), Long::sum);
            });
        }
        sum.replaceAll((k, v) -> Math.max(0, v));
        return sum;
    }
}
