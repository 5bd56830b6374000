package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.store.PublicationLedger;
import io.herald.core.store.Quotas;
import io.herald.core.store.StatsStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The ledger table: publication ids ({@code pub#id}, status {@code st} P = in progress until its
 * TTL, C = completed for the dedup window; claimed by conditional put), the stats
 * counters (sharded over {@code stats#0..9}, atomic ADD, summed on read) and quota counts ({@code quota#key}, conditional increment).
 */
public final class DynamoDbLedger implements PublicationLedger, StatsStore, Quotas {
    private static final String STATS_KEY = "stats";
    static final int STATS_SHARDS = 10;
    private static final String STATUS = "st", IN_PROGRESS = "P", COMPLETED = "C";

    private final DynamoDbClient ddb;
    private final String table;
    private final Duration window;

    public DynamoDbLedger(DynamoDbClient ddb, String table, Duration window) {
        this.ddb = ddb;
        this.table = table;
        this.window = window;
    }

    @Override
    public Claim claim(String publicationId, Instant now, Instant inProgressUntil) {
        Map<String, AttributeValue> key = Map.of(PK, s("pub#" + publicationId));
        for (int attempt = 0; ; attempt++) {
            try {
                // a lapsed claim (its attempt died) or an expired id (TTL passed, not yet deleted) may be taken over
                ddb.putItem(b -> b.tableName(table)
                        .item(Map.of(PK, key.get(PK), STATUS, s(IN_PROGRESS), TTL, n(inProgressUntil.getEpochSecond())))
                        .conditionExpression("attribute_not_exists(#pk) OR #ttl <= :now")
                        .expressionAttributeNames(Map.of("#pk", PK, "#ttl", TTL))
                        .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond())))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                return Claim.CLAIMED;
            } catch (ConditionalCheckFailedException e) {
                Map<String, AttributeValue> held = e.hasItem() && !e.item().isEmpty() ? e.item()
                        : ddb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
                if (held == null || held.isEmpty()) {
                    if (attempt < 2) continue; // released between the two calls: claim again
                    return Claim.IN_PROGRESS;
                }
                // ids recorded before claims had a status were completed ones
                return IN_PROGRESS.equals(Items.str(held, STATUS)) ? Claim.IN_PROGRESS : Claim.COMPLETED;
            }
        }
    }

    @Override
    public void complete(String publicationId, Instant now) {
        ddb.putItem(b -> b.tableName(table).item(Map.of(PK, s("pub#" + publicationId), STATUS, s(COMPLETED),
                TTL, n(now.plus(window).getEpochSecond()))));
    }

    @Override
    public void releaseClaim(String publicationId) {
        try {
            ddb.deleteItem(b -> b.tableName(table).key(Map.of(PK, s("pub#" + publicationId)))
                    .conditionExpression("#st = :p").expressionAttributeNames(Map.of("#st", STATUS))
                    .expressionAttributeValues(Map.of(":p", s(IN_PROGRESS))));
        } catch (ConditionalCheckFailedException e) {
            // completed meanwhile, or already gone: nothing to give up
        }
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

    /** The shards summed (one BatchGetItem); a shard alone may be negative, a sum below zero reads as zero. */
    @Override
    public Map<String, Long> read() {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        keys.add(Map.of(PK, s(STATS_KEY))); // the single item of earlier releases, kept in data directories
        for (int i = 0; i < STATS_SHARDS; i++) keys.add(Map.of(PK, s(STATS_KEY + "#" + i)));
        Map<String, Long> sum = new HashMap<>();
        Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder().keys(keys).build());
        while (!pending.isEmpty()) {
            Map<String, KeysAndAttributes> req = pending;
            BatchGetItemResponse r = ddb.batchGetItem(b -> b.requestItems(req));
            for (Map<String, AttributeValue> item : r.responses().getOrDefault(table, List.of())) {
                item.forEach((k, v) -> {
                    if (v.n() != null) sum.merge(k, Long.parseLong(v.n()), Long::sum);
                });
            }
            pending = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
        }
        sum.replaceAll((k, v) -> Math.max(0, v));
        return sum;
    }

    @Override
    public boolean acquire(String key, int limit, Instant now, Instant expiresAt) {
        Map<String, AttributeValue> k = Map.of(PK, s("quota#" + key));
        Map<String, String> names = Map.of("#n", "n", "#ttl", TTL);
        try {
            ddb.updateItem(b -> b.tableName(table).key(k)
                    .updateExpression("SET #n = if_not_exists(#n, :zero) + :one, #ttl = :exp")
                    .conditionExpression("(attribute_not_exists(#n) OR #n < :limit) AND (attribute_not_exists(#ttl) OR #ttl > :now)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":zero", n(0), ":one", n(1), ":limit", n(limit),
                            ":exp", n(expiresAt.getEpochSecond()), ":now", n(now.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException full) {
            try {
                // an expired count is stale (its releases were lost): start it again at one
                ddb.putItem(b -> b.tableName(table).item(Map.of(PK, s("quota#" + key), "n", n(1), TTL, n(expiresAt.getEpochSecond())))
                        .conditionExpression("#ttl <= :now").expressionAttributeNames(Map.of("#ttl", TTL))
                        .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()))));
                return true;
            } catch (ConditionalCheckFailedException live) {
                return false;
            }
        }
    }

    @Override
    public void release(String key) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s("quota#" + key))).updateExpression("ADD #n :minus")
                    .conditionExpression("#n > :zero").expressionAttributeNames(Map.of("#n", "n"))
                    .expressionAttributeValues(Map.of(":minus", n(-1), ":zero", n(0))));
        } catch (ConditionalCheckFailedException e) {
            // nothing taken (or the count expired and was reset): nothing to give back
        }
    }
}
