package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.PK;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.store.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Every window of a key in one ledger item ({@code rate#{key}}): per window of {@code L} ms its
 * start {@code wL} (epoch ms) and count {@code nL}, a version {@code v}, and a TTL at the end
 * of the longest window, so idle users' items go away by themselves.
 *
 * <p>One item, not one per window: all windows change in one conditional write, so "one event
 * against every limit or none" needs no transaction (a transaction would cost 2 WCU per item, 6
 * for the three message windows). The common case is a single UpdateItem whose condition says
 * every window is open and has room: 1 WCU, no read. When it fails, DynamoDB returns the item as
 * the condition saw it (ReturnValuesOnConditionCheckFailure), which tells a full window (refuse,
 * no further request) from an ended one (start it again with a write conditional on the version).
 */
public final class DynamoDbRateLimiter implements RateLimiter {
    private static final int ATTEMPTS = 16;
    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbRateLimiter(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    @Override
    public Verdict acquire(String key, List<Limit> limits, Instant now) {
        if (limits.isEmpty()) return Verdict.ADMITTED;
        if (limits.stream().map(l -> l.window()).distinct().count() < limits.size()) {
            throw new IllegalArgumentException("the limits of one key need windows of different lengths: " + limits);
        }
        Map<String, AttributeValue> k = Map.of(PK, s("rate#" + key));
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> old = increment(k, limits, now);
            if (old == null) return Verdict.ADMITTED;
            State s = State.of(old, limits, now);
            Verdict refused = s.refusal(limits, now);
            if (refused != null) return refused;
            // every window has room: either one ended (start it again) or another caller changed
            // the item between our condition and now (count again on the fast path)
            if (s.restarted()) {
                try {
                    write(k, s, limits, old);
                    return Verdict.ADMITTED;
                } catch (ConditionalCheckFailedException e) {
                    // another caller wrote first: judge the item again
                }
            }
            if (attempt >= ATTEMPTS) throw new IllegalStateException("rate limit for " + key + " kept changing under " + ATTEMPTS + " attempts");
        }
    }

    /** The fast path; null when it counted, else the item as the failed condition saw it (empty map: none). */
    private Map<String, AttributeValue> increment(Map<String, AttributeValue> k, List<Limit> limits, Instant now) {
        StringBuilder set = new StringBuilder("SET v = v + :one");
        StringBuilder cond = new StringBuilder("attribute_exists(v)");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":one", n(1));
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            String w = start(l);
            String c = count(l);
            set.append(", ").append(c).append(" = ").append(c).append(" + :one");
            cond.append(" AND ").append(w).append(" > :since").append(i).append(" AND ").append(c).append(" < :max").append(i);
            values.put(":since" + i, n(now.minus(l.window()).toEpochMilli()));
            values.put(":max" + i, n(l.max()));
        }
        try {
            ddb.updateItem(b -> b.tableName(table).key(k).updateExpression(set.toString()).conditionExpression(cond.toString())
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return null;
        } catch (ConditionalCheckFailedException e) {
            return e.hasItem() && e.item() != null ? e.item() : Map.of();
        }
    }

    /** A window's attributes are named by its length, so a limit switched off or added leaves the others' counts as they were. */
    private static String start(Limit l) {
        return "w" + l.window().toMillis();
    }

    private static String count(Limit l) {
        return "n" + l.window().toMillis();
    }

    /** The new state, conditional on nobody having written since {@code old} was read. */
    private void write(Map<String, AttributeValue> k, State s, List<Limit> limits, Map<String, AttributeValue> old) {
        Map<String, AttributeValue> item = new HashMap<>(k);
        long end = 0;
        for (int i = 0; i < limits.size(); i++) {
            item.put(start(limits.get(i)), n(s.starts[i]));
            item.put(count(limits.get(i)), n(s.counts[i] + 1));
            end = Math.max(end, s.starts[i] + limits.get(i).window().toMillis());
        }
        long version = Items.num(old, "v", 0);
        item.put("v", n(version + 1));
        item.put(TTL, n(end / 1000 + 1));
        ddb.putItem(b -> {
            b.tableName(table).item(item);
            if (old.isEmpty()) b.conditionExpression("attribute_not_exists(pk)");
            else b.conditionExpression("v = :v").expressionAttributeValues(Map.of(":v", n(version)));
        });
    }

    /** The windows as they stand at {@code now}: ended or missing ones start now, empty. */
    private record State(long[] starts, long[] counts, boolean restarted) {
        static State of(Map<String, AttributeValue> item, List<Limit> limits, Instant now) {
            long[] w = new long[limits.size()];
            long[] c = new long[limits.size()];
            long t = now.toEpochMilli();
            boolean restarted = item.isEmpty();
            for (int i = 0; i < limits.size(); i++) {
                long start = Items.num(item, start(limits.get(i)), Long.MIN_VALUE);
                boolean open = start != Long.MIN_VALUE && start > t - limits.get(i).window().toMillis();
                w[i] = open ? start : t;
                c[i] = open ? Items.num(item, count(limits.get(i)), 0) : 0;
                restarted |= !open;
            }
            return new State(w, c, restarted);
        }

        /** The full window that frees up last, or null when every window has room. */
        Verdict refusal(List<Limit> limits, Instant now) {
            Verdict worst = null;
            for (int i = 0; i < limits.size(); i++) {
                Limit l = limits.get(i);
                if (counts[i] < l.max()) continue;
                Duration wait = Duration.ofMillis(starts[i] + l.window().toMillis() - now.toEpochMilli());
                if (worst == null || wait.compareTo(worst.retryAfter()) > 0) worst = new Verdict(l, wait);
            }
            return worst;
        }
    }
}
