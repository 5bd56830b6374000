package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.store.Quotas;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Quota counts in the ledger table ({@code quota#key}): conditional increment, with an expiry that heals lost releases. */
public final class DynamoDbQuotas implements Quotas {
    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbQuotas(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
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

    /** One write for all units while the count holds them; one by one (never below zero) when it holds fewer. */
    @Override
    public void release(String key, int units) {
        if (units <= 1) {
            if (units == 1) release(key);
            return;
        }
        try {
            ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s("quota#" + key))).updateExpression("ADD #n :minus")
                    .conditionExpression("#n >= :units").expressionAttributeNames(Map.of("#n", "n"))
                    .expressionAttributeValues(Map.of(":minus", n(-units), ":units", n(units))));
        } catch (ConditionalCheckFailedException e) {
            Quotas.super.release(key, units);
        }
    }
}
