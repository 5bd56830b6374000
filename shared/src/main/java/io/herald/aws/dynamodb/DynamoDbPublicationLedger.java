package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.store.PublicationLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Publication ids in the ledger table ({@code pub#id}): status {@code st} P = in progress until its
 * TTL, C = completed for the dedup window, R = released by a failed attempt (for the dedup window);
 * claimed by conditional put, whose old item (returned without read capacity) tells a retry's claim
 * from a first one.
 */
public final class DynamoDbPublicationLedger implements PublicationLedger {
    private static final String STATUS = "st", IN_PROGRESS = "P", COMPLETED = "C", RELEASED = "R";

    private final DynamoDbClient ddb;
    private final String table;
    private final Duration window;
    private final String prefix;

    /** @param window how long a completed id is kept, so a redelivery within it is a duplicate */
    public DynamoDbPublicationLedger(DynamoDbClient ddb, String table, Duration window) {
        this(ddb, table, window, "pub#");
    }

    /**
     * @param prefix put before every id in the table's key: {@code pub#} for publications,
     *     another for another kind of id (tree fan-out batches: {@code fob#}), so the two never meet
     */
    public DynamoDbPublicationLedger(DynamoDbClient ddb, String table, Duration window, String prefix) {
        this.prefix = prefix;
        this.ddb = ddb;
        this.table = table;
        this.window = window;
    }

    @Override
    public Claim claim(String publicationId, Instant now, Instant inProgressUntil) {
        Map<String, AttributeValue> key = Map.of(PK, s(prefix + publicationId));
        for (int attempt = 0; ; attempt++) {
            try {
                // a released id, a lapsed claim (its attempt died) or an expired id (TTL passed, not yet deleted) may be taken over
                Map<String, AttributeValue> old = ddb.putItem(b -> b.tableName(table)
                        .item(Map.of(PK, key.get(PK), STATUS, s(IN_PROGRESS), TTL, n(inProgressUntil.getEpochSecond())))
                        .conditionExpression("attribute_not_exists(#pk) OR #ttl <= :now OR #st = :r")
                        .expressionAttributeNames(Map.of("#pk", PK, "#ttl", TTL, "#st", STATUS))
                        .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()), ":r", s(RELEASED)))
                        .returnValues(ReturnValue.ALL_OLD)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
                return retried(old, now) ? Claim.RECLAIMED : Claim.CLAIMED;
            } catch (ConditionalCheckFailedException e) {
                Map<String, AttributeValue> held = e.hasItem() && !e.item().isEmpty() ? e.item()
                        : ddb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
                if (held == null || held.isEmpty()) {
                    if (attempt < 2) continue; // deleted by its TTL between the two calls: claim again
                    return Claim.IN_PROGRESS;
                }
                // ids recorded before claims had a status were completed ones
                return IN_PROGRESS.equals(Items.str(held, STATUS)) ? Claim.IN_PROGRESS : Claim.COMPLETED;
            }
        }
    }

    /**
     * Whether the item a claim replaced was an earlier attempt's: released within the window, or
     * claimed by an attempt that died. An expired id (completed or released longer ago than the
     * window, its TTL passed but the item not yet deleted) is a new publication under an old id.
     */
    private static boolean retried(Map<String, AttributeValue> old, Instant now) {
        if (old == null || old.isEmpty()) return false;
        String was = Items.str(old, STATUS);
        if (IN_PROGRESS.equals(was)) return true;
        return RELEASED.equals(was) && Items.live(old, now.getEpochSecond());
    }

    @Override
    public void complete(String publicationId, Instant now) {
        ddb.putItem(b -> b.tableName(table).item(Map.of(PK, s(prefix + publicationId), STATUS, s(COMPLETED),
                TTL, n(now.plus(window).getEpochSecond()))));
    }

    @Override
    public void releaseClaim(String publicationId, Instant heldUntil, Instant now) {
        try {
            // a claim is known by when it lapses: one taken over after this attempt's lapsed is not this one's to give up
            ddb.updateItem(b -> b.tableName(table).key(Map.of(PK, s(prefix + publicationId)))
                    .updateExpression("SET #st = :r, #ttl = :until").conditionExpression("#st = :p AND #ttl = :mine")
                    .expressionAttributeNames(Map.of("#st", STATUS, "#ttl", TTL))
                    .expressionAttributeValues(Map.of(":p", s(IN_PROGRESS), ":r", s(RELEASED), ":mine", n(heldUntil.getEpochSecond()),
                            ":until", n(now.plus(window).getEpochSecond()))));
        } catch (ConditionalCheckFailedException e) {
            // completed meanwhile, taken over, or already gone: nothing of this attempt's to give up
        }
    }
}
