package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.BUCKET;
import static io.herald.aws.dynamodb.DynamoDbSchema.BY_CONNECTION;
import static io.herald.aws.dynamodb.DynamoDbSchema.CONNECTION_ID;
import static io.herald.aws.dynamodb.DynamoDbSchema.SUB;
import static io.herald.aws.dynamodb.DynamoDbSchema.SUB_CONNECTION;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import io.herald.aws.config.Background;
import io.herald.core.model.Connection;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.store.SubscriptionStore;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

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
    /** Threads for the bucket Queries of a publication after the first, which runs on the caller's. */
    private static final ExecutorService QUERIES = Executors.newCachedThreadPool(Background.daemonThreads("herald-query"));

    private final DynamoDbClient ddb;
    private final String table;
    private final String connectionsTable;
    private final int shards;
    private final Consumer<ConsumedCapacity> capacity;

    /**
     * @param capacity receives the ConsumedCapacity of every fan-out Query (benchmarks, tests); may be a no-op
     */
    public DynamoDbSubscriptionStore(DynamoDbClient ddb, String table, String connectionsTable, int shards,
            Consumer<ConsumedCapacity> capacity) {
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
        int shard = Math.floorMod(c.id().hashCode(), shards);
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
        try {
            // one transaction: the subscription and the connection's counter, so the limit holds under concurrency
            ddb.transactWriteItems(b -> b.transactItems(
                    t -> t.put(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(#b)")
                            .expressionAttributeNames(Map.of("#b", BUCKET))),
                    t -> t.update(u -> u.tableName(connectionsTable).key(Map.of(CONNECTION_ID, s(c.id())))
                            .updateExpression("SET #n = if_not_exists(#n, :zero) + :one")
                            .conditionExpression("attribute_exists(#id) AND (attribute_not_exists(#n) OR #n < :limit)")
                            .expressionAttributeNames(Map.of("#n", "subCount", "#id", CONNECTION_ID))
                            .expressionAttributeValues(Map.of(":zero", n(0), ":one", n(1), ":limit", n(limit))))));
            return AddResult.ADDED;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (reasons.size() > 0 && "ConditionalCheckFailed".equals(reasons.get(0).code())) return AddResult.ALREADY_SUBSCRIBED;
            boolean exists = !ddb.getItem(b -> b.tableName(connectionsTable).consistentRead(true)
                    .key(Map.of(CONNECTION_ID, s(c.id())))).item().isEmpty();
            return exists ? AddResult.LIMIT_REACHED : AddResult.CONNECTION_GONE;
        }
    }

    @Override
    public int remove(String connectionId, TopicPattern pattern) {
        return delete(connectionId, ownedBy(connectionId, pattern.text()));
    }

    @Override
    public int removeAll(String connectionId) {
        return delete(connectionId, ownedBy(connectionId, null));
    }

    @Override
    public List<Subscriber> forConnection(String connectionId) {
        List<Subscriber> out = new ArrayList<>();
        for (Map<String, AttributeValue> i : ownedBy(connectionId, null)) out.add(toSubscriber(i));
        return out;
    }

    @Override
    public List<Subscriber> candidates(String topic, Instant now) {
        List<String> buckets = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            buckets.add(bucket(topic, shard));
            for (String prefix : TopicPattern.wildcardPrefixesFor(topic)) buckets.add(bucket(prefix + "*", shard));
        }
        long nowSec = now.getEpochSecond();
        // the buckets are independent Queries: in flight together, a publication waits for the
        // slowest instead of their sum (3 for a two-segment topic, more with shards)
        List<CompletableFuture<List<Subscriber>>> reads = new ArrayList<>();
        for (String bucket : buckets.subList(1, buckets.size())) {
            reads.add(CompletableFuture.supplyAsync(() -> read(bucket, nowSec), QUERIES));
        }
        List<Subscriber> out = new ArrayList<>(read(buckets.get(0), nowSec));
        for (CompletableFuture<List<Subscriber>> r : reads) {
            try {
                out.addAll(r.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        return out;
    }

    /** One bucket's live subscriptions, all pages. */
    private List<Subscriber> read(String bucket, long nowSec) {
        List<Subscriber> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse r = ddb.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("#b = :b").expressionAttributeNames(Map.of("#b", BUCKET))
                    .expressionAttributeValues(Map.of(":b", s(bucket))).exclusiveStartKey(start)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
            if (r.consumedCapacity() != null) capacity.accept(r.consumedCapacity());
            for (Map<String, AttributeValue> i : r.items()) if (Items.live(i, nowSec)) out.add(toSubscriber(i));
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /** The connection's subscription items via the byConnection index, optionally one pattern's. */
    private List<Map<String, AttributeValue>> ownedBy(String connectionId, String pattern) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).indexName(BY_CONNECTION).keyConditionExpression("#c = :c")
                        .expressionAttributeNames(Map.of("#c", SUB_CONNECTION))
                        .expressionAttributeValues(Map.of(":c", s(connectionId))))
                .items().forEach(i -> {
                    if (pattern == null || pattern.equals(patternOf(i).text())) out.add(i);
                });
        return out;
    }

    private int delete(String connectionId, List<Map<String, AttributeValue>> items) {
        if (items.isEmpty()) return 0;
        for (int from = 0; from < items.size(); from += 25) {
            List<WriteRequest> batch = new ArrayList<>();
            for (Map<String, AttributeValue> i : items.subList(from, Math.min(items.size(), from + 25))) {
                batch.add(WriteRequest.builder().deleteRequest(d -> d.key(Map.of(BUCKET, i.get(BUCKET), SUB, i.get(SUB)))).build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            for (int attempt = 0; !pending.isEmpty() && attempt < 8; attempt++) {
                final Map<String, List<WriteRequest>> req = pending;
                BatchWriteItemResponse r = ddb.batchWriteItem(b -> b.requestItems(req));
                pending = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
                if (!pending.isEmpty()) sleepQuietly(20L << attempt);
            }
        }
        try {
            ddb.updateItem(b -> b.tableName(connectionsTable).key(Map.of(CONNECTION_ID, s(connectionId)))
                    .updateExpression("ADD #n :d").conditionExpression("attribute_exists(#id)")
                    .expressionAttributeNames(Map.of("#n", "subCount", "#id", CONNECTION_ID))
                    .expressionAttributeValues(Map.of(":d", n(-items.size()))));
        } catch (ConditionalCheckFailedException e) {
            // the connection is already deleted: there is no counter left to keep
        }
        return items.size();
    }

    private static Subscriber toSubscriber(Map<String, AttributeValue> i) {
        AttributeValue t = i.get(TYPES);
        AttributeValue f = i.get(FILTERS);
        Map<String, String> filters = new HashMap<>();
        if (f != null && f.hasM()) f.m().forEach((k, v) -> filters.put(k, v.s()));
        SubscriptionSpec spec = new SubscriptionSpec(patternOf(i), t != null && t.hasSs() ? Set.copyOf(t.ss()) : Set.of(), filters);
        return new Subscriber(Items.str(i, SUB_CONNECTION), Items.str(i, PROFILE), Items.str(i, USER), spec);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
