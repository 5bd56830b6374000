package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.chat.PresenceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Presence in the chat table: one item per user ({@code pk = u#{user}}, {@code sk = #presence}).
 * Each connection is an attribute {@code c#{connectionId}} holding its expiry in epoch seconds
 * while open and the negated expiry once closed, so the item is the user's open-connection count
 * and a per-connection mark at once. Opening and closing are one conditional UpdateItem each
 * ({@code ReturnValues ALL_OLD}): DynamoDB applies them one after another on the item, so exactly
 * one of two concurrent opens sees no other live connection, and exactly one of two concurrent
 * closes leaves none. The condition makes each idempotent per connection; the closed mark (kept
 * until the connection's lifetime ends) makes a close that overtook its open win. A mark whose
 * expiry passed counts as closed, so a lost close heals after the connection's 2-hour lifetime.
 * {@code st}/{@code sa} are the user's status and when it was set; the item lives 30 days past
 * its last change ({@code ttl}).
 */
public final class DynamoDbPresence implements PresenceStore {
    static final String SK = "#presence";
    private static final String MARK = "c#";
    /** The status outlives the connections: a user coming back within this keeps it. */
    static final Duration KEEP = Duration.ofDays(30);

    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbPresence(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String userId) {
        return Map.of(DynamoDbSchema.PK, s("u#" + userId), DynamoDbSchema.SK, s(SK));
    }

    @Override
    public boolean opened(String userId, String connectionId, long expiresAt, Instant now) {
        Map<String, AttributeValue> old = mark(userId, connectionId, expiresAt, "attribute_not_exists(#c)", now);
        if (old == null) return false; // open already, or its close came first
        prune(userId, old, now);
        return live(old, null, now) == 0;
    }

    @Override
    public boolean closed(String userId, String connectionId, long expiresAt, Instant now) {
        Map<String, AttributeValue> old = mark(userId, connectionId, -expiresAt, "attribute_not_exists(#c) OR #c > :zero", now);
        if (old == null) return false; // closed before
        AttributeValue mine = old.get(MARK + connectionId);
        // open until now (its lifetime may have ended: a TTL removal comes after the expiry) and the last one
        boolean wasOpen = mine != null && Long.parseLong(mine.n()) > 0;
        prune(userId, old, now);
        return wasOpen && live(old, MARK + connectionId, now) == 0;
    }

    /** Sets the connection's mark if {@code condition} holds; the item as it was before, or null when it did not hold. */
    private Map<String, AttributeValue> mark(String userId, String connectionId, long value, String condition, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":v", n(value));
        values.put(":k", s("presence"));
        values.put(":ttl", n(now.plus(KEEP).getEpochSecond()));
        if (condition.contains(":zero")) values.put(":zero", n(0));
        try {
            Map<String, AttributeValue> old = ddb.updateItem(b -> b.tableName(table).key(key(userId))
                    .updateExpression("SET #c = :v, k = :k, #ttl = :ttl").conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#c", MARK + connectionId, "#ttl", DynamoDbSchema.TTL))
                    .expressionAttributeValues(values).returnValues(ReturnValue.ALL_OLD)).attributes();
            return old == null ? Map.of() : old;
        } catch (ConditionalCheckFailedException e) {
            return null;
        }
    }

    /** Open marks whose connection is still within its lifetime, other than {@code except}. */
    private static int live(Map<String, AttributeValue> item, String except, Instant now) {
        int n = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            if (e.getKey().startsWith(MARK) && !e.getKey().equals(except) && Long.parseLong(e.getValue().n()) > now.getEpochSecond()) n++;
        }
        return n;
    }

    /**
     * Removes marks whose connection's lifetime has ended (open ones whose close was lost, closed
     * ones no late open can follow any more), each only if it is still what was read. Best effort:
     * a lost race leaves them to the next change, and they count as closed meanwhile.
     */
    private void prune(String userId, Map<String, AttributeValue> old, Instant now) {
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, AttributeValue> e : old.entrySet()) {
            if (e.getKey().startsWith(MARK) && Math.abs(Long.parseLong(e.getValue().n())) <= now.getEpochSecond()) stale.add(e.getKey());
        }
        if (stale.isEmpty()) return;
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> removes = new ArrayList<>(), conditions = new ArrayList<>();
        for (int i = 0; i < stale.size() && i < 50; i++) {
            names.put("#s" + i, stale.get(i));
            values.put(":s" + i, old.get(stale.get(i)));
            removes.add("#s" + i);
            conditions.add("#s" + i + " = :s" + i);
        }
        try {
            ddb.updateItem(b -> b.tableName(table).key(key(userId)).updateExpression("REMOVE " + String.join(", ", removes))
                    .conditionExpression(String.join(" AND ", conditions)).expressionAttributeNames(names).expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // changed meanwhile: the next open or close prunes them
        }
    }

    @Override
    public void status(String userId, String status, Instant now) {
        ddb.updateItem(b -> b.tableName(table).key(key(userId)).updateExpression("SET st = :st, sa = :sa, k = :k, #ttl = :ttl")
                .expressionAttributeNames(Map.of("#ttl", DynamoDbSchema.TTL))
                .expressionAttributeValues(Map.of(":st", s(status), ":sa", n(now.toEpochMilli()), ":k", s("presence"),
                        ":ttl", n(now.plus(KEEP).getEpochSecond()))));
    }

    @Override
    public Map<String, Presence> online(Collection<String> userIds, Instant now) {
        Map<String, Presence> out = new HashMap<>();
        List<String> users = new ArrayList<>(new LinkedHashSet<>(userIds));
        for (int from = 0; from < users.size(); from += 100) { // BatchGetItem's limit
            List<Map<String, AttributeValue>> keys = users.subList(from, Math.min(users.size(), from + 100)).stream()
                    .map(DynamoDbPresence::key).toList();
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 10) throw new IllegalStateException("presence reads left unprocessed");
                Map<String, KeysAndAttributes> request = pending;
                var r = ddb.batchGetItem(b -> b.requestItems(request));
                for (Map<String, AttributeValue> item : r.responses().getOrDefault(table, List.of())) {
                    if (live(item, null, now) == 0) continue;
                    String user = Items.str(item, DynamoDbSchema.PK).substring(2);
                    long sa = Items.num(item, "sa", 0);
                    out.put(user, new Presence(user, Items.str(item, "st"), sa == 0 ? null : Instant.ofEpochMilli(sa)));
                }
                pending = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
                if (!pending.isEmpty()) pause(attempt);
            }
        }
        return out;
    }

    /** Conflicts and unprocessed keys: jittered, as every retry in Herald, so racing writers spread out. */
    private static final io.herald.core.delivery.RetryPolicy BACKOFF =
            new io.herald.core.delivery.RetryPolicy(12, java.time.Duration.ofMillis(20), java.time.Duration.ofSeconds(1));

    private static void pause(int attempt) {
        if (!BACKOFF.pause(Thread::sleep, attempt + 1)) throw new IllegalStateException("interrupted");
    }
}
