package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.BUCKET;
import static io.herald.aws.dynamodb.DynamoDbSchema.BY_CONNECTION;
import static io.herald.aws.dynamodb.DynamoDbSchema.CONNECTION_ID;
import static io.herald.aws.dynamodb.DynamoDbSchema.SUB;
import static io.herald.aws.dynamodb.DynamoDbSchema.SUB_CONNECTION;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.core.concurrent.DaemonThreads;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.Connection;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.store.SubscriptionStore;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Subscriptions in DynamoDB, partitioned by where a publication looks for them: an exact pattern
 * under its topic ({@code orders.42}), a wildcard pattern under its literal prefix and a star
 * ({@code orders*}, {@code *} for patterns that start with a wildcard; topics cannot contain
 * {@code *}, so the two kinds never share a bucket). A publication to an n-segment topic Queries
 * one exact bucket and n prefix buckets per shard; nothing else is read.
 *
 * <p>Items are kept small because fan-out pays for their bytes: the sort key is the connection id,
 * then the pattern's wildcard tail (empty for exact patterns: the bucket is the pattern), then a
 * hash of the event-type and data filters when there are any. The user id is stored only for
 * wildcard patterns, the only ones fan-out re-authorizes per topic.
 *
 * <p>Shards spread a popular topic over several partitions: a subscription lands in shard
 * hash(connectionId) mod N (suffix {@code #n}, none for shard 0) and readers query all N. Raising
 * N is safe at any time (old items stay in shards readers still query); lowering it is not.
 */
public final class DynamoDbSubscriptionStore implements SubscriptionStore {
    private static final String PROFILE = "p", USER = "u", TYPES = "y", FILTERS = "f";
    /** On the connection item: the subscription count the limit is checked against, and the subscriptions' keys. */
    static final String SUB_COUNT = "subCount", SUB_KEYS = "subKeys";
    /** Between bucket and sort key in {@code subKeys}: occurs in neither topics nor connection ids. */
    static final char KEY_SEPARATOR = '\n';
    /** Threads for the bucket Queries of a publication after the first, which runs on the caller's. */
    private static final ExecutorService QUERIES = Executors.newCachedThreadPool(DaemonThreads.named("herald-query"));

    private final DynamoDbClient ddb;
    private final String table;
    private final String connectionsTable;
    private final int shards;
    private final Consumer<ConsumedCapacity> capacity;
    private final RetryPolicy retry;
    private final Delivery.Sleeper sleeper;

    /**
     * @param capacity receives the ConsumedCapacity of every fan-out Query (benchmarks, tests); may be a no-op
     */
    public DynamoDbSubscriptionStore(DynamoDbClient ddb, String table, String connectionsTable, int shards,
            Consumer<ConsumedCapacity> capacity) {
        this(ddb, table, connectionsTable, shards, capacity, RetryPolicy.DEFAULT, Thread::sleep);
    }

    /** @param retry how often and after what pause a subscribe that met a conflicting write is tried again */
    public DynamoDbSubscriptionStore(DynamoDbClient ddb, String table, String connectionsTable, int shards,
            Consumer<ConsumedCapacity> capacity, RetryPolicy retry, Delivery.Sleeper sleeper) {
        this.retry = retry;
        this.sleeper = sleeper;
        if (shards < 1) throw new IllegalArgumentException("shards must be at least 1");
        this.ddb = ddb;
        this.table = table;
        this.connectionsTable = connectionsTable;
        this.shards = shards;
        this.capacity = capacity;
    }

    public DynamoDbSubscriptionStore(DynamoDbClient ddb, String table, String connectionsTable) {
        this(ddb, table, connectionsTable, 1, c -> { });
    }

    static String bucketOf(TopicPattern p, int shard) {
        return bucket(p.isExact() ? p.text() : p.literalPrefix() + "*", shard);
    }

    private static String bucket(String base, int shard) {
        return shard == 0 ? base : base + "#" + shard;
    }

    /** connectionId[#wildcardTail[#filtersHash]]: '#' occurs in neither connection ids nor topics. */
    static String sortKey(String connectionId, SubscriptionSpec spec) {
        boolean filtered = !spec.types().isEmpty() || !spec.filters().isEmpty();
        String tail = spec.pattern().wildcardTail();
        if (tail.isEmpty() && !filtered) return connectionId;
        return connectionId + "#" + tail + (filtered ? "#" + spec.key() : "");
    }

    /** The pattern an item stands for, rebuilt from its bucket and sort key. */
    static TopicPattern patternOf(Map<String, AttributeValue> item) {
        String bucket = Items.str(item, BUCKET);
        int shardAt = bucket.indexOf('#');
        String base = shardAt < 0 ? bucket : bucket.substring(0, shardAt);
        if (!base.endsWith("*")) return TopicPattern.parse(base);
        String[] sk = Items.str(item, SUB).split("#", -1);
        return TopicPattern.join(base.substring(0, base.length() - 1), sk.length > 1 ? sk[1] : "");
    }

    @Override
    public AddResult add(Connection c, SubscriptionSpec spec, int limit, Instant now) {
        int shard = shardOf(c.id());
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(BUCKET, s(bucketOf(spec.pattern(), shard)));
        item.put(SUB, s(sortKey(c.id(), spec)));
        item.put(SUB_CONNECTION, s(c.id()));
        item.put(PROFILE, s(c.profile()));
        if (c.userId() != null && !spec.pattern().isExact()) item.put(USER, s(c.userId()));
        if (!spec.types().isEmpty()) item.put(TYPES, AttributeValue.fromSs(List.copyOf(spec.types())));
        if (!spec.filters().isEmpty()) {
            Map<String, AttributeValue> f = new HashMap<>();
            spec.filters().forEach((k, v) -> f.put(k, s(v)));
            item.put(FILTERS, AttributeValue.fromM(f));
        }
        item.put(TTL, n(c.expiresAt()));
        AttributeValue key = AttributeValue.fromSs(List.of(keyOf(item)));
        for (int attempt = 1; ; attempt++) {
            try {
                // one transaction: the subscription, the connection's counter and its list of keys,
                // so the limit holds under concurrency and removeAll knows every key without an index
                ddb.transactWriteItems(b -> b.transactItems(
                        t -> t.put(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(#b)")
                                .expressionAttributeNames(Map.of("#b", BUCKET))),
                        t -> t.update(u -> u.tableName(connectionsTable).key(Map.of(CONNECTION_ID, s(c.id())))
                                .updateExpression("SET #n = if_not_exists(#n, :zero) + :one ADD #k :k")
                                .conditionExpression("attribute_exists(#id) AND (attribute_not_exists(#n) OR #n < :limit)")
                                .expressionAttributeNames(Map.of("#n", SUB_COUNT, "#id", CONNECTION_ID, "#k", SUB_KEYS))
                                .expressionAttributeValues(Map.of(":zero", n(0), ":one", n(1), ":limit", n(limit), ":k", key)))));
                return AddResult.ADDED;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                String put = reasons.size() > 0 ? reasons.get(0).code() : null;
                String counter = reasons.size() > 1 ? reasons.get(1).code() : null;
                if ("ConditionalCheckFailed".equals(put)) return AddResult.ALREADY_SUBSCRIBED;
                if ("ConditionalCheckFailed".equals(counter)) {
                    boolean exists = !ddb.getItem(b -> b.tableName(connectionsTable).consistentRead(true)
                            .key(Map.of(CONNECTION_ID, s(c.id())))).item().isEmpty();
                    return exists ? AddResult.LIMIT_REACHED : AddResult.CONNECTION_GONE;
                }
                // a conflict with another write of the same connection, or throttling: not a limit
                if (attempt >= retry.maxAttempts()) return AddResult.BUSY;
                pause(attempt);
            }
        }
    }

    @Override
    public int remove(String connectionId, TopicPattern pattern) {
        // the bucket is known: read it from the base table, consistently, so a subscription made a
        // moment ago is found (the byConnection index may not show it yet); the index is read too,
        // for items written under another shard count
        String bucket = bucketOf(pattern, shardOf(connectionId));
        Map<String, Map<String, AttributeValue>> found = new LinkedHashMap<>();
        ddb.queryPaginator(b -> b.tableName(table).consistentRead(true)
                        .keyConditionExpression("#b = :b AND begins_with(#s, :c)")
                        .expressionAttributeNames(Map.of("#b", BUCKET, "#s", SUB))
                        .expressionAttributeValues(Map.of(":b", s(bucket), ":c", s(connectionId))))
                .items().forEach(i -> {
                    if (connectionId.equals(Items.str(i, SUB_CONNECTION)) && pattern.text().equals(patternOf(i).text())) {
                        found.put(keyOf(i), i);
                    }
                });
        for (Map<String, AttributeValue> i : ownedBy(connectionId, pattern.text())) found.putIfAbsent(keyOf(i), i);
        return delete(connectionId, found.keySet());
    }

    @Override
    public int removeAll(String connectionId) {
        // the connection item lists its subscriptions' keys, read consistently; the index adds any
        // written before the list existed (and catches up with those written after a cleanup)
        Set<String> keys = new LinkedHashSet<>();
        Map<String, AttributeValue> conn = ddb.getItem(b -> b.tableName(connectionsTable).consistentRead(true)
                .key(Map.of(CONNECTION_ID, s(connectionId))).projectionExpression("#k")
                .expressionAttributeNames(Map.of("#k", SUB_KEYS))).item();
        if (conn != null && conn.containsKey(SUB_KEYS)) keys.addAll(conn.get(SUB_KEYS).ss());
        for (Map<String, AttributeValue> i : ownedBy(connectionId, null)) keys.add(keyOf(i));
        return delete(connectionId, keys);
    }

    /**
     * One consistent read of the connection's key list and one conditional delete per
     * subscription (usually one): no transaction and, when the list exists, no index Query.
     */
    @Override
    public int purge(String connectionId) {
        Map<String, AttributeValue> conn = ddb.getItem(b -> b.tableName(connectionsTable).consistentRead(true)
                .key(Map.of(CONNECTION_ID, s(connectionId))).projectionExpression("#k")
                .expressionAttributeNames(Map.of("#k", SUB_KEYS))).item();
        Set<String> keys = new LinkedHashSet<>();
        if (conn != null && conn.containsKey(SUB_KEYS)) keys.addAll(conn.get(SUB_KEYS).ss());
        else for (Map<String, AttributeValue> i : ownedBy(connectionId, null)) keys.add(keyOf(i)); // listed nowhere: the index
        int removed = 0;
        for (String k : keys) {
            int at = k.indexOf(KEY_SEPARATOR);
            try {
                // a subscribe or unsubscribe transaction may hold the item: a plain delete then waits and retries
                Conflicts.retrying(() -> ddb.deleteItem(b -> b.tableName(table).key(Map.of(BUCKET, s(k.substring(0, at)), SUB, s(k.substring(at + 1))))
                        .conditionExpression("attribute_exists(#b)").expressionAttributeNames(Map.of("#b", BUCKET))));
                removed++;
            } catch (ConditionalCheckFailedException e) {
                // removed by someone else meanwhile: not ours to count
            }
        }
        return removed;
    }

    @Override
    public List<Subscriber> candidates(String topic, Instant now) {
        return readAll(buckets(topic, 0, shards), now.getEpochSecond(), new AtomicInteger(), Integer.MAX_VALUE);
    }

    @Override
    public int shards() {
        return shards;
    }

    @Override
    public List<Subscriber> candidates(String topic, int shard, Instant now) {
        if (shard < 0 || shard >= shards) throw new IllegalArgumentException("shard " + shard + " of " + shards);
        return readAll(buckets(topic, shard, shard + 1), now.getEpochSecond(), new AtomicInteger(), Integer.MAX_VALUE);
    }

    /**
     * Stops every bucket's paging once more than {@code limit} were seen in all. Pages are capped
     * (Query's Limit) at each bucket's share of what is left, so a topic with a million subscribers
     * over 64 shards costs about twice the limit in items read, not a 1 MB page from each bucket.
     */
    @Override
    public Optional<List<Subscriber>> candidates(String topic, Instant now, int limit) {
        AtomicInteger seen = new AtomicInteger();
        List<Subscriber> out = readAll(buckets(topic, 0, shards), now.getEpochSecond(), seen, limit);
        return seen.get() > limit ? Optional.empty() : Optional.of(out);
    }

    /** The exact bucket and the wildcard-prefix buckets of a topic, in shards {@code from} to {@code to} (exclusive). */
    private static List<String> buckets(String topic, int from, int to) {
        List<String> buckets = new ArrayList<>();
        for (int shard = from; shard < to; shard++) {
            buckets.add(bucket(topic, shard));
            for (String prefix : TopicPattern.wildcardPrefixesFor(topic)) buckets.add(bucket(prefix + "*", shard));
        }
        return buckets;
    }

    private List<Subscriber> readAll(List<String> buckets, long nowSec, AtomicInteger seen, int limit) {
        // the buckets are independent Queries: in flight together, a publication waits for the
        // slowest instead of their sum (3 for a two-segment topic, more with shards)
        int share = limit == Integer.MAX_VALUE ? 0 : (int) Math.min(Integer.MAX_VALUE, (limit + 1L) / buckets.size() + 1);
        List<CompletableFuture<List<Subscriber>>> reads = new ArrayList<>();
        for (String bucket : buckets.subList(1, buckets.size())) {
            reads.add(CompletableFuture.supplyAsync(() -> read(bucket, nowSec, seen, limit, share, buckets.size()), QUERIES));
        }
        List<Subscriber> out = new ArrayList<>(read(buckets.get(0), nowSec, seen, limit, share, buckets.size()));
        for (CompletableFuture<List<Subscriber>> r : reads) {
            try {
                out.addAll(r.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        return out;
    }

    /**
     * One bucket's live subscriptions, all pages, or fewer once {@code seen} (shared by the buckets)
     * passed {@code limit}; {@code firstPage} &gt; 0 caps the pages of such a bounded read: each
     * at the bucket's share of what is left (at least {@code firstPage}), so the buckets read in
     * parallel overshoot the limit by at most one such page each.
     */
    private List<Subscriber> read(String bucket, long nowSec, AtomicInteger seen, int limit, int firstPage, int buckets) {
        List<Subscriber> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Integer pageLimit = firstPage <= 0 ? null
                    : (int) Math.max(firstPage, (limit + 1L - seen.get()) / buckets + 1);
            QueryResponse r = ddb.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("#b = :b").expressionAttributeNames(Map.of("#b", BUCKET))
                    .expressionAttributeValues(Map.of(":b", s(bucket))).exclusiveStartKey(start).limit(pageLimit)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
            if (r.consumedCapacity() != null) capacity.accept(r.consumedCapacity());
            int live = 0;
            for (Map<String, AttributeValue> i : r.items()) {
                if (Items.live(i, nowSec)) {
                    out.add(toSubscriber(i));
                    live++;
                }
            }
            if (seen.addAndGet(live) > limit || seen.get() > limit) break;
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /** The connection's subscription items via the byConnection index, optionally one pattern's. */
    private List<Map<String, AttributeValue>> ownedBy(String connectionId, String pattern) {
        return ownedBy(ddb, table, connectionId, pattern);
    }

    static List<Map<String, AttributeValue>> ownedBy(DynamoDbClient ddb, String table, String connectionId, String pattern) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).indexName(BY_CONNECTION).keyConditionExpression("#c = :c")
                        .expressionAttributeNames(Map.of("#c", SUB_CONNECTION))
                        .expressionAttributeValues(Map.of(":c", s(connectionId))))
                .items().forEach(i -> {
                    if (pattern == null || pattern.equals(patternOf(i).text())) out.add(i);
                });
        return out;
    }

    /**
     * Deletes the subscriptions and counts only those this call really deleted: each transaction
     * deletes up to 99 of them, each on condition that it still exists, and takes as many off the
     * connection's counter and key list. A subscription another call removed first cancels the
     * transaction, which is then run again without it, so two concurrent removals of the same
     * subscription decrement the counter once. Conflicting writes to the connection are retried
     * with the RetryPolicy. Once the connection is gone, only the deletes remain, uncounted: the
     * call that deleted the connection counted every subscription its item listed
     * ({@link DynamoDbConnectionSweeper}).
     */
    private int delete(String connectionId, Set<String> keys) {
        List<String> remaining = new ArrayList<>(keys);
        boolean connectionGone = false;
        int removed = 0;
        int attempt = 1;
        while (!remaining.isEmpty()) {
            List<String> chunk = new ArrayList<>(remaining.subList(0, Math.min(remaining.size(), 99)));
            List<TransactWriteItem> tx = new ArrayList<>();
            for (String k : chunk) {
                int at = k.indexOf(KEY_SEPARATOR);
                tx.add(TransactWriteItem.builder().delete(d -> d.tableName(table)
                        .key(Map.of(BUCKET, s(k.substring(0, at)), SUB, s(k.substring(at + 1))))
                        .conditionExpression("attribute_exists(#b)").expressionAttributeNames(Map.of("#b", BUCKET))).build());
            }
            if (!connectionGone) {
                tx.add(TransactWriteItem.builder().update(u -> u.tableName(connectionsTable)
                        .key(Map.of(CONNECTION_ID, s(connectionId)))
                        .updateExpression("ADD #n :d DELETE #k :k").conditionExpression("attribute_exists(#id)")
                        .expressionAttributeNames(Map.of("#n", SUB_COUNT, "#id", CONNECTION_ID, "#k", SUB_KEYS))
                        .expressionAttributeValues(Map.of(":d", n(-chunk.size()), ":k", AttributeValue.fromSs(chunk)))).build());
            }
            try {
                ddb.transactWriteItems(b -> b.transactItems(tx));
                if (!connectionGone) removed += chunk.size();
                remaining.removeAll(chunk);
                attempt = 1;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                boolean conditionsFailed = false;
                for (int i = 0; i < reasons.size(); i++) {
                    if (!"ConditionalCheckFailed".equals(reasons.get(i).code())) continue;
                    conditionsFailed = true;
                    if (i < chunk.size()) remaining.remove(chunk.get(i)); // removed by someone else: not ours to count
                    else connectionGone = true;
                }
                if (conditionsFailed) continue;
                if (attempt >= retry.maxAttempts()) throw e; // conflicts or throttling past the retries
                pause(attempt++);
            }
        }
        return removed;
    }

    /** An item's key as kept in the connection's list: bucket, separator, sort key. */
    static String keyOf(Map<String, AttributeValue> item) {
        return Items.str(item, BUCKET) + KEY_SEPARATOR + Items.str(item, SUB);
    }

    private int shardOf(String connectionId) {
        return Math.floorMod(connectionId.hashCode(), shards);
    }

    private void pause(int attempt) {
        retry.pause(sleeper, attempt);
    }

    static Subscriber toSubscriber(Map<String, AttributeValue> i) {
        AttributeValue t = i.get(TYPES);
        AttributeValue f = i.get(FILTERS);
        Map<String, String> filters = new HashMap<>();
        if (f != null && f.hasM()) f.m().forEach((k, v) -> filters.put(k, v.s()));
        SubscriptionSpec spec = new SubscriptionSpec(patternOf(i), t != null && t.hasSs() ? Set.copyOf(t.ss()) : Set.of(), filters);
        return new Subscriber(Items.str(i, SUB_CONNECTION), Items.str(i, PROFILE), Items.str(i, USER), spec);
    }

}
