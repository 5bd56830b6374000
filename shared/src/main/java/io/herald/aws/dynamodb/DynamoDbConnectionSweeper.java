package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.BUCKET;
import static io.herald.aws.dynamodb.DynamoDbSchema.CONNECTION_ID;
import static io.herald.aws.dynamodb.DynamoDbSchema.SUB;
import static io.herald.aws.dynamodb.DynamoDbSchema.USER_ID;
import static io.herald.aws.dynamodb.DynamoDbSubscriptionStore.KEY_SEPARATOR;
import static io.herald.aws.dynamodb.DynamoDbSubscriptionStore.SUB_KEYS;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.store.ConnectionSweeper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Forgets up to 100 gone connections in a handful of calls instead of four or five each:
 * <ol>
 * <li>one consistent BatchGetItem of their items (their user, address and subscriptions' keys);
 * <li>one transaction deleting them, each on condition that it is still as read: same user, same
 *     key list. The transaction decides who forgot a connection: a concurrent {@code $disconnect}
 *     or fan-out deletes it before (this call's condition fails) or finds it gone after, so the
 *     counters and quotas are given back once. A connection whose condition fails (or that was
 *     not found) goes back to the caller's one-by-one path, which is exact on its own;
 * <li>BatchWriteItem deletes, 25 a call, of the subscriptions those items listed. They need no
 *     condition: once the connection item is gone nothing can add to them, and a concurrent
 *     unsubscribe no longer counts them (see {@code DynamoDbSubscriptionStore}). UnprocessedItems
 *     are sent again with the RetryPolicy's backoff; what is still left after it stays for the
 *     next 410 (found through the byConnection index) or the TTL. All are counted gone with their
 *     connection here: nobody else counts a forgotten connection's subscriptions.
 * </ol>
 * Only the read and the transaction can fail a batch; once connections are deleted this never
 * throws, so what it deleted is always reported.
 */
public final class DynamoDbConnectionSweeper implements ConnectionSweeper {
    /** BatchGetItem's limit, and TransactWriteItems'. */
    static final int BATCH = 100;
    /** BatchWriteItem's limit. */
    static final int WRITE_BATCH = 25;

    private final DynamoDbClient ddb;
    private final String connectionsTable;
    private final String subscriptionsTable;
    private final RetryPolicy retry;
    private final Delivery.Sleeper sleeper;

    public DynamoDbConnectionSweeper(DynamoDbClient ddb, String connectionsTable, String subscriptionsTable,
            RetryPolicy retry, Delivery.Sleeper sleeper) {
        this.ddb = ddb;
        this.connectionsTable = connectionsTable;
        this.subscriptionsTable = subscriptionsTable;
        this.retry = retry;
        this.sleeper = sleeper;
    }

    public DynamoDbConnectionSweeper(DynamoDbClient ddb, String connectionsTable, String subscriptionsTable) {
        this(ddb, connectionsTable, subscriptionsTable, RetryPolicy.DEFAULT, Thread::sleep);
    }

    @Override
    public int batchSize() {
        return BATCH;
    }

    @Override
    public Swept sweep(List<String> ids) {
        if (ids.size() > BATCH) throw new IllegalArgumentException(ids.size() + " ids, at most " + BATCH);
        Map<String, Map<String, AttributeValue>> items = read(ids);
        List<String> contested = new ArrayList<>();
        for (String id : ids) if (!items.containsKey(id)) contested.add(id); // already gone: its leftovers, one by one
        List<String> failed = new ArrayList<>();
        List<String> claimed = claim(items, contested, failed);

        Map<String, String> ownerOf = new LinkedHashMap<>(); // subscription key -> its connection
        for (String id : claimed) {
            AttributeValue listed = items.get(id).get(SUB_KEYS);
            if (listed != null && listed.hasSs()) listed.ss().forEach(k -> ownerOf.put(k, id));
            else indexed(id).forEach(k -> ownerOf.put(k, id)); // no list: none, or written before lists existed
        }
        int left = deleteSubscriptions(ownerOf.keySet());
        Map<String, Integer> held = new HashMap<>();
        ownerOf.values().forEach(id -> held.merge(id, 1, Integer::sum));
        List<Removed> removed = new ArrayList<>(claimed.size());
        for (String id : claimed) {
            removed.add(new Removed(DynamoDbConnectionStore.fromItem(items.get(id)), held.getOrDefault(id, 0)));
        }
        return new Swept(removed, contested, failed, left);
    }

    /** The stored items, consistently: a subscription made a moment ago is in the list. */
    private Map<String, Map<String, AttributeValue>> read(List<String> ids) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String id : ids) keys.add(Map.of(CONNECTION_ID, s(id)));
        Map<String, Map<String, AttributeValue>> out = new HashMap<>();
        BatchGet.consistent(ddb, connectionsTable, keys, retry, sleeper).forEach(i -> out.put(Items.str(i, CONNECTION_ID), i));
        return out;
    }

    /**
     * Deletes the items in one transaction (a batch of at most 100 is one), each on condition that
     * it is as read. A failed condition cancels the whole transaction: that connection moves to
     * {@code contested} and the rest is tried again at once; conflicts and throttling, with backoff.
     */
    private List<String> claim(Map<String, Map<String, AttributeValue>> items, List<String> contested, List<String> failed) {
        List<String> pending = new ArrayList<>(items.keySet());
        for (int attempt = 1; !pending.isEmpty(); ) {
            List<TransactWriteItem> tx = new ArrayList<>(pending.size());
            for (String id : pending) tx.add(deleteAsRead(items.get(id)));
            try {
                ddb.transactWriteItems(b -> b.transactItems(tx));
                return pending;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                List<String> changed = new ArrayList<>();
                for (int i = 0; i < reasons.size() && i < pending.size(); i++) {
                    if ("ConditionalCheckFailed".equals(reasons.get(i).code())) changed.add(pending.get(i));
                }
                if (!changed.isEmpty()) {
                    contested.addAll(changed);
                    pending.removeAll(changed);
                    continue;
                }
                if (attempt >= retry.maxAttempts()) {
                    failed.addAll(pending);
                    return List.of();
                }
                pause(attempt++);
            }
        }
        return pending;
    }

    private TransactWriteItem deleteAsRead(Map<String, AttributeValue> item) {
        Map<String, String> names = new HashMap<>(Map.of("#id", CONNECTION_ID, "#u", USER_ID, "#k", SUB_KEYS));
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder condition = new StringBuilder("attribute_exists(#id)");
        // the user decides the user quota and the authenticated counter; the list, which subscriptions are counted
        condition.append(sameAs(item, USER_ID, "#u", ":u", values));
        condition.append(sameAs(item, SUB_KEYS, "#k", ":k", values));
        return TransactWriteItem.builder().delete(d -> d.tableName(connectionsTable)
                .key(Map.of(CONNECTION_ID, item.get(CONNECTION_ID))).conditionExpression(condition.toString())
                .expressionAttributeNames(names).expressionAttributeValues(values.isEmpty() ? null : values)).build();
    }

    private static String sameAs(Map<String, AttributeValue> item, String attribute, String name, String value,
            Map<String, AttributeValue> values) {
        AttributeValue v = item.get(attribute);
        if (v == null) return " AND attribute_not_exists(" + name + ")";
        values.put(value, v);
        return " AND " + name + " = " + value; // a string set compares as a set
    }

    /** The connection's subscriptions by the index; none when the Query fails (the next 410 finds them). */
    private Set<String> indexed(String connectionId) {
        Set<String> keys = new LinkedHashSet<>();
        try {
            for (Map<String, AttributeValue> i : DynamoDbSubscriptionStore.ownedBy(ddb, subscriptionsTable, connectionId, null)) {
                keys.add(DynamoDbSubscriptionStore.keyOf(i));
            }
        } catch (RuntimeException e) {
            keys.clear(); // the connection is already deleted: report it, whatever is left of it
        }
        return keys;
    }

    /**
     * BatchWriteItem deletes, 25 a call; UnprocessedItems (and calls that failed) are sent again,
     * with backoff while a call makes no progress. Returns how many are left undeleted.
     */
    private int deleteSubscriptions(Set<String> keys) {
        List<String> pending = new ArrayList<>(keys);
        int stalled = 0;
        while (!pending.isEmpty()) {
            List<String> chunk = new ArrayList<>(pending.subList(0, Math.min(WRITE_BATCH, pending.size())));
            List<WriteRequest> writes = new ArrayList<>(chunk.size());
            for (String k : chunk) {
                int at = k.indexOf(KEY_SEPARATOR);
                writes.add(WriteRequest.builder().deleteRequest(d -> d.key(Map.of(BUCKET, s(k.substring(0, at)),
                        SUB, s(k.substring(at + 1))))).build());
            }
            List<String> left = new ArrayList<>();
            try {
                BatchWriteItemResponse r = ddb.batchWriteItem(b -> b.requestItems(Map.of(subscriptionsTable, writes)));
                for (WriteRequest w : r.unprocessedItems().getOrDefault(subscriptionsTable, List.of())) {
                    Map<String, AttributeValue> key = w.deleteRequest().key();
                    left.add(Items.str(key, BUCKET) + KEY_SEPARATOR + Items.str(key, SUB));
                }
            } catch (RuntimeException e) {
                left = chunk; // throttled past the SDK's own retries, or the network: all of it is still to do
            }
            pending.subList(0, chunk.size()).clear();
            if (left.isEmpty()) {
                stalled = 0;
                continue;
            }
            pending.addAll(0, left);
            if (left.size() < chunk.size()) stalled = 0;
            if (++stalled >= retry.maxAttempts()) break; // left for the next 410 (through the index) or the TTL
            pause(stalled);
        }
        return pending.size();
    }

    private void pause(int attempt) {
        retry.pause(sleeper, attempt);
    }
}
