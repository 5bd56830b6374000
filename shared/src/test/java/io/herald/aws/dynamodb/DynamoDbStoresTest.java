package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.model.Connection;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.store.PublicationLedger.Claim;
import io.herald.core.store.StatsStore;
import io.herald.core.store.SubscriptionStore.AddResult;
import io.herald.core.topic.TopicPattern;
import io.herald.testing.EmbeddedDynamoDb;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DynamoDbStoresTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    DynamoDbConnectionStore connections;
    DynamoDbSubscriptionStore subscriptions;
    DynamoDbPublicationLedger ledger;
    DynamoDbStats stats;
    DynamoDbQuotas quotas;
    String connectionsTable, subscriptionsTable, ledgerTable;

    @BeforeEach
    void tables() {
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        connectionsTable = t.connections();
        subscriptionsTable = t.subscriptions();
        ledgerTable = t.ledger();
        connections = new DynamoDbConnectionStore(ddb.client(), t.connections());
        subscriptions = new DynamoDbSubscriptionStore(ddb.client(), t.subscriptions(), t.connections());
        ledger = new DynamoDbPublicationLedger(ddb.client(), t.ledger(), Duration.ofHours(1));
        stats = new DynamoDbStats(ddb.client(), t.ledger());
        quotas = new DynamoDbQuotas(ddb.client(), t.ledger());
    }

    static Connection conn(String id, String user) {
        return new Connection(id, user, "topics", NOW, "127.0.0.1", "test", Map.of("email", "a@b"),
                NOW.plus(Duration.ofHours(2)).getEpochSecond());
    }

    static SubscriptionSpec spec(String pattern) {
        return SubscriptionSpec.of(TopicPattern.parse(pattern));
    }


    private List<Subscriber> stored(String connectionId) {
        return StoredSubscriptions.of(ddb.client(), subscriptionsTable, connectionId);
    }

    @Test
    void connection_should_round_trip_and_expire_by_ttl() {
        connections.put(conn("c1", "u1"));
        Connection c = connections.get("c1", NOW).orElseThrow();
        assertEquals("u1", c.userId());
        assertEquals("a@b", c.attribute("email"));
        assertEquals(NOW, c.connectedAt());
        assertTrue(connections.get("c1", NOW.plus(Duration.ofHours(3))).isEmpty(), "expired items are ignored");
        assertEquals(List.of("c1"), connections.byUser("u1", NOW).stream().map(Connection::id).toList());
    }

    @Test
    void authenticate_should_not_recreate_a_deleted_connection() {
        connections.put(conn("c1", null));
        assertTrue(connections.authenticate("c1", "u9", Map.of()));
        assertEquals("u9", connections.get("c1", NOW).orElseThrow().userId());
        assertTrue(connections.delete("c1").isPresent());
        assertTrue(connections.delete("c1").isEmpty(), "delete is idempotent");
        assertFalse(connections.authenticate("c1", "u9", Map.of()));
        assertTrue(connections.get("c1", NOW).isEmpty());
    }

    @Test
    void add_should_enforce_the_limit_and_ignore_duplicates() {
        Connection c = conn("c1", "u1");
        connections.put(c);
        assertEquals(AddResult.ADDED, subscriptions.add(c, spec("a.b"), 2, NOW));
        assertEquals(AddResult.ALREADY_SUBSCRIBED, subscriptions.add(c, spec("a.b"), 2, NOW));
        assertEquals(AddResult.ADDED, subscriptions.add(c, spec("a.*"), 2, NOW));
        assertEquals(AddResult.LIMIT_REACHED, subscriptions.add(c, spec("x.y"), 2, NOW));
        assertEquals(1, subscriptions.remove("c1", TopicPattern.parse("a.b")));
        assertEquals(AddResult.ADDED, subscriptions.add(c, spec("x.y"), 2, NOW), "removing frees a slot");
        assertEquals(AddResult.CONNECTION_GONE, subscriptions.add(conn("ghost", null), spec("a"), 2, NOW));
    }

    @Test
    void add_should_hold_the_limit_under_concurrent_subscribes() throws Exception {
        Connection c = conn("c1", "u1");
        connections.put(c);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<AddResult>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                fs.add(pool.submit(() -> subscriptions.add(c, spec("t." + n), 5, NOW)));
            }
            long added = 0;
            for (Future<AddResult> f : fs) if (f.get() == AddResult.ADDED) added++;
            assertEquals(5, added);
            assertEquals(5, stored("c1").size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void the_limit_should_hold_exactly_under_a_storm_of_subscribes_and_unsubscribes_on_one_connection() throws Exception {
        Connection c = conn("storm", "u1");
        connections.put(c);
        int limit = 5;
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            // a watcher counts the stored items while eight clients subscribe and unsubscribe over
            // six patterns, often the same one at once
            Future<?> watcher = pool.submit(() -> {
                while (!stop.get()) most.accumulateAndGet(storedFor("storm"), Math::max);
            });
            List<Future<?>> storm = new java.util.ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int seed = w;
                storm.add(pool.submit(() -> {
                    java.util.Random r = new java.util.Random(seed);
                    for (int i = 0; i < 60; i++) {
                        String p = "t." + r.nextInt(6);
                        if (r.nextBoolean()) {
                            if (subscriptions.add(c, spec(p), limit, NOW) == AddResult.BUSY) busy.incrementAndGet();
                        } else {
                            subscriptions.remove("storm", TopicPattern.parse(p));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : storm) f.get();
            stop.set(true);
            watcher.get();
        } finally {
            pool.shutdownNow();
        }
        int stored = storedFor("storm");
        long counter = Long.parseLong(ddb.client().getItem(b -> b.tableName(connectionsTable).consistentRead(true)
                .key(Map.of(DynamoDbSchema.CONNECTION_ID, AttributeValue.fromS("storm")))).item().get("subCount").n());
        assertTrue(most.get() <= limit, "at most " + limit + " stored at any time, saw " + most.get());
        assertEquals(stored, counter, "the counter equals what is stored (" + busy.get() + " subscribes answered busy)");
        // and it still admits exactly up to the limit
        for (int i = 0; i < 10; i++) subscriptions.add(c, spec("fill." + i), limit, NOW);
        assertEquals(limit, storedFor("storm"));
    }

    private int storedFor(String connectionId) {
        return (int) ddb.client().scan(b -> b.tableName(subscriptionsTable).consistentRead(true)).items().stream()
                .filter(i -> connectionId.equals(i.get(DynamoDbSchema.SUB_CONNECTION).s())).count();
    }

    /** A byConnection index that has not caught up at all: every Query on it answers nothing. */
    static final class LaggingIndex implements ExecutionInterceptor {
        @Override
        public software.amazon.awssdk.core.SdkResponse modifyResponse(Context.ModifyResponse c, ExecutionAttributes a) {
            if (c.request() instanceof QueryRequest q && DynamoDbSchema.BY_CONNECTION.equals(q.indexName())) {
                return ((software.amazon.awssdk.services.dynamodb.model.QueryResponse) c.response()).toBuilder()
                        .items(List.of()).count(0).build();
            }
            return c.response();
        }
    }

    @Test
    void unsubscribe_and_replace_all_should_find_a_subscription_the_index_does_not_show_yet() {
        DynamoDbClient lagging = ddb.clientWith(new LaggingIndex());
        DynamoDbSubscriptionStore store = new DynamoDbSubscriptionStore(lagging, subscriptionsTable, connectionsTable);
        Connection c = conn("c1", "u1");
        connections.put(c);
        store.add(c, spec("a.b"), 10, NOW);
        store.add(c, new SubscriptionSpec(TopicPattern.parse("a.*"), Set.of("t1"), Map.of("k", "v")), 10, NOW);
        store.add(c, spec("x.**"), 10, NOW);

        assertEquals(1, store.remove("c1", TopicPattern.parse("a.b")), "subscribe then unsubscribe at once");
        assertEquals(List.of("a.*"), store.candidates("a.c", NOW).stream().map(x -> x.spec().pattern().text()).toList());
        assertEquals(2, store.removeAll("c1"), "replace-all removes what the index does not show");
        assertEquals(0, storedFor("c1"));
        assertEquals(AddResult.ADDED, store.add(c, spec("n.1"), 1, NOW), "the counter went back to zero");
        lagging.close();
    }

    /**
     * Forgetting a connection deletes its subscriptions and its item with plain deletes, while a
     * subscribe transaction or the sweeper's claim may hold those items: on AWS the delete then
     * gets TransactionConflictException (the engine serializes instead), and is retried.
     */
    @Test
    void forgetting_a_connection_should_retry_deletes_that_meet_a_transaction() {
        Connection c = conn("c1", "u1");
        connections.put(c);
        subscriptions.add(c, spec("a.b"), 10, NOW);
        RuntimeException conflict = software.amazon.awssdk.services.dynamodb.model.TransactionConflictException.builder()
                .message("Transaction is ongoing for the item").build();
        java.util.concurrent.atomic.AtomicInteger subDeletes = new java.util.concurrent.atomic.AtomicInteger();
        DynamoDbSubscriptionStore subs = new DynamoDbSubscriptionStore(FailingCalls.first(ddb.client(), "deleteItem", conflict, subDeletes),
                subscriptionsTable, connectionsTable);
        assertEquals(1, subs.purge("c1"));
        assertEquals(2, subDeletes.get(), "lost once, then deleted");
        assertEquals(0, storedFor("c1"));
        java.util.concurrent.atomic.AtomicInteger connDeletes = new java.util.concurrent.atomic.AtomicInteger();
        DynamoDbConnectionStore conns = new DynamoDbConnectionStore(FailingCalls.first(ddb.client(), "deleteItem", conflict, connDeletes), connectionsTable);
        assertEquals(java.util.Optional.of("c1"), conns.delete("c1").map(Connection::id));
        assertEquals(2, connDeletes.get());
        assertTrue(connections.get("c1", NOW).isEmpty());
    }

    @Test
    void candidates_should_read_only_the_buckets_a_topic_can_match() {
        Connection a = conn("a", "u1"), b = conn("b", "u2"), noise = conn("noise", "u3");
        List.of(a, b, noise).forEach(connections::put);
        subscriptions.add(a, spec("messages.user.123"), 100, NOW);
        subscriptions.add(b, spec("messages.**"), 100, NOW);
        subscriptions.add(noise, spec("messages.user.124"), 100, NOW);
        subscriptions.add(noise, spec("other.**"), 100, NOW);
        subscriptions.add(noise, spec("messages.user.123.x.**"), 100, NOW);
        ddb.resetCounters();
        Set<String> found = subscriptions.candidates("messages.user.123", NOW).stream()
                .map(s -> s.connectionId() + ":" + s.spec().pattern()).collect(Collectors.toSet());
        assertEquals(Set.of("a:messages.user.123", "b:messages.**"), found);
        assertEquals(0, ddb.scans.get());
        assertEquals(4, ddb.queries.get(), "one exact bucket and three prefix buckets");
        assertEquals(2, ddb.itemsQueried.get());
    }

    @Test
    void a_failing_bucket_query_should_fail_the_read_with_its_own_error() {
        // the exact bucket (read on the caller's thread) answers; a wildcard bucket's Query, run on
        // another thread, is refused as if throttled
        DynamoDbClient refusing = ddb.clientWith(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
                if (c.request() instanceof QueryRequest q && q.expressionAttributeValues().get(":b").s().endsWith("*")) {
                    throw ProvisionedThroughputExceededException.builder().message("slow down").build();
                }
            }
        });
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        DynamoDbSubscriptionStore store = new DynamoDbSubscriptionStore(refusing, t.subscriptions(), t.connections());
        ProvisionedThroughputExceededException e = assertThrows(ProvisionedThroughputExceededException.class,
                () -> store.candidates("a.b", NOW), "not wrapped by the parallel Queries");
        assertEquals("slow down", e.getMessage());
        refusing.close();
    }

    @Test
    void candidates_should_find_subscriptions_in_every_shard() {
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        DynamoDbConnectionStore cs = new DynamoDbConnectionStore(ddb.client(), t.connections());
        DynamoDbSubscriptionStore sharded = new DynamoDbSubscriptionStore(ddb.client(), t.subscriptions(), t.connections(), 4, x -> { });
        for (int i = 0; i < 40; i++) {
            Connection c = conn("c" + i, "u" + i);
            cs.put(c);
            sharded.add(c, spec("hot.topic"), 10, NOW);
        }
        assertEquals(40, sharded.candidates("hot.topic", NOW).size());
        long distinctBuckets = ddb.client().scan(b -> b.tableName(t.subscriptions())).items().stream()
                .map(i -> i.get(DynamoDbSchema.BUCKET).s()).distinct().count();
        assertTrue(distinctBuckets > 1, "subscriptions spread over partitions: " + distinctBuckets);
    }

    @Test
    void the_longest_topic_should_be_stored_in_every_shard() {
        // the bucket is the topic plus "#shard"; with 64 shards it must still fit the byConnection
        // index's 1,024-byte sort key, or subscribing fails on some connections only
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        DynamoDbConnectionStore cs = new DynamoDbConnectionStore(ddb.client(), t.connections());
        DynamoDbSubscriptionStore sharded = new DynamoDbSubscriptionStore(ddb.client(), t.subscriptions(), t.connections(), 64, x -> { });
        String longest = "a".repeat(io.herald.core.topic.Topic.MAX_LENGTH);
        java.util.Set<String> buckets = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            Connection c = conn("c" + i, "u" + i);
            cs.put(c);
            assertEquals(AddResult.ADDED, sharded.add(c, spec(longest), 10, NOW), "connection c" + i);
        }
        ddb.client().scan(b -> b.tableName(t.subscriptions())).items().forEach(i -> buckets.add(i.get(DynamoDbSchema.BUCKET).s()));
        assertTrue(buckets.stream().anyMatch(b -> b.endsWith("#63") || b.matches(".*#[1-6][0-9]$")), "two-digit shards were used: " + buckets.size());
        assertEquals(200, sharded.candidates(longest, NOW).size());
    }

    @Test
    void candidates_should_ignore_expired_subscriptions() {
        Connection c = new Connection("old", null, "topics", NOW, null, null, Map.of(), NOW.plusSeconds(60).getEpochSecond());
        connections.put(c);
        subscriptions.add(c, spec("a.b"), 10, NOW);
        assertEquals(1, subscriptions.candidates("a.b", NOW).size());
        assertEquals(0, subscriptions.candidates("a.b", NOW.plusSeconds(61)).size());
    }

    @Test
    void removeAll_should_delete_every_subscription_of_that_connection_only() {
        Connection a = conn("a", "u1"), b = conn("b", "u2");
        connections.put(a);
        connections.put(b);
        for (int i = 0; i < 30; i++) subscriptions.add(a, spec("t." + i), 100, NOW); // more than one batch
        subscriptions.add(b, spec("t.1"), 100, NOW);
        assertEquals(30, subscriptions.removeAll("a"));
        assertEquals(0, subscriptions.removeAll("a"));
        List<Subscriber> left = subscriptions.candidates("t.1", NOW);
        assertEquals(List.of("b"), left.stream().map(Subscriber::connectionId).toList());
    }

    @Test
    void filters_and_types_should_survive_storage() {
        Connection a = conn("a", "u1");
        connections.put(a);
        subscriptions.add(a, new SubscriptionSpec(TopicPattern.parse("raffles.r1"), Set.of("box_purchased"),
                Map.of("item_id", "i1")), 10, NOW);
        Subscriber s = subscriptions.candidates("raffles.r1", NOW).get(0);
        assertEquals(Set.of("box_purchased"), s.spec().types());
        assertEquals(Map.of("item_id", "i1"), s.spec().filters());
        assertEquals(null, s.userId(), "exact patterns were authorized at subscribe time: no user kept");
        assertEquals("topics", s.profile());
        subscriptions.add(a, SubscriptionSpec.of(TopicPattern.parse("raffles.*")), 10, NOW);
        Subscriber wild = subscriptions.candidates("raffles.r2", NOW).get(0);
        assertEquals("u1", wild.userId(), "wildcards are re-authorized per topic, so they keep the user");
    }

    @Test
    void every_pattern_shape_should_round_trip_and_be_removed_by_its_own_pattern() {
        Connection a = conn("AbCdEfGhIjKlMnO=", "u1");
        connections.put(a);
        List<String> patterns = List.of("a.b", "a.*", "a.**", "**", "*", "*.b", "a.*.c", "a.b.**");
        for (String p : patterns) assertEquals(AddResult.ADDED, subscriptions.add(a, spec(p), 100, NOW), p);
        SubscriptionSpec filtered = new SubscriptionSpec(TopicPattern.parse("a.*"), Set.of("t1"), Map.of("k", "v"));
        assertEquals(AddResult.ADDED, subscriptions.add(a, filtered, 100, NOW), "same pattern, other filters");
        assertEquals(AddResult.ALREADY_SUBSCRIBED, subscriptions.add(a, filtered, 100, NOW));

        Set<String> stored = stored(a.id()).stream().map(s -> s.spec().pattern().text())
                .collect(Collectors.toSet());
        assertEquals(Set.copyOf(patterns), stored);
        Set<String> matching = subscriptions.candidates("a.b", NOW).stream().filter(s -> s.spec().pattern().matches("a.b"))
                .map(s -> s.spec().pattern().text() + s.spec().types()).collect(Collectors.toSet());
        assertEquals(Set.of("a.b[]", "a.*[]", "a.*[t1]", "a.**[]", "**[]", "*.b[]"), matching);

        assertEquals(2, subscriptions.remove(a.id(), TopicPattern.parse("a.*")), "both a.* subscriptions, nothing else");
        Set<String> left = stored(a.id()).stream().map(s -> s.spec().pattern().text())
                .collect(Collectors.toSet());
        assertEquals(patterns.stream().filter(p -> !p.equals("a.*")).collect(Collectors.toSet()), left);
    }

    @Test
    void a_hundred_subscriber_topic_should_cost_one_read_unit() {
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        DynamoDbConnectionStore cs = new DynamoDbConnectionStore(ddb.client(), t.connections());
        java.util.Queue<Double> units = new java.util.concurrent.ConcurrentLinkedQueue<>(); // per Query
        DynamoDbSubscriptionStore store = new DynamoDbSubscriptionStore(ddb.client(), t.subscriptions(), t.connections(), 1,
                cc -> units.add(cc.capacityUnits()));
        for (int i = 0; i < 100; i++) {
            // API Gateway connection ids are 16 characters; user ids as long as a typical "user-12345"
            Connection c = conn(String.format("Lx%013d=", i), String.format("user-%05d", i));
            cs.put(c);
            store.add(c, spec("orders.eu-west"), 10, NOW);
        }
        assertEquals(100, store.candidates("orders.eu-west", NOW).size());
        // 100 items of at most 80 bytes fit 8 KB: one eventually consistent read unit for the exact
        // bucket; the two wildcard buckets are empty and cost AWS's minimum of 0.5 each
        assertEquals(List.of(0.5, 0.5, 1.0), units.stream().sorted().toList());
        for (Map<String, AttributeValue> item : ddb.client().scan(b -> b.tableName(t.subscriptions())).items()) {
            assertTrue(awsItemSize(item) <= 80, "item of " + awsItemSize(item) + " bytes: " + item);
        }
    }

    /** Item size as DynamoDB's docs define it: names plus values, numbers about 1 byte per 2 digits plus 1. */
    static int awsItemSize(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            AttributeValue v = e.getValue();
            if (v.s() != null) size += v.s().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            else if (v.n() != null) size += (v.n().replaceFirst("^-", "").length() + 1) / 2 + 1;
            else throw new IllegalArgumentException("size of " + v + " not modelled here");
        }
        return size;
    }

    @Test
    void quotas_should_count_up_to_the_limit_release_and_heal_when_expired() {
        Instant exp = NOW.plusSeconds(60);
        assertTrue(quotas.acquire("ip#1.2.3.4", 2, NOW, exp));
        assertTrue(quotas.acquire("ip#1.2.3.4", 2, NOW, exp));
        assertFalse(quotas.acquire("ip#1.2.3.4", 2, NOW, exp));
        assertTrue(quotas.acquire("ip#5.6.7.8", 2, NOW, exp), "counts are per key");
        quotas.release("ip#1.2.3.4");
        assertTrue(quotas.acquire("ip#1.2.3.4", 2, NOW, exp));
        assertFalse(quotas.acquire("ip#1.2.3.4", 2, NOW, exp));
        // releases were lost (no $disconnect): once the count expires it starts again
        assertTrue(quotas.acquire("ip#1.2.3.4", 2, NOW.plusSeconds(61), NOW.plusSeconds(120)));
        quotas.release("ip#never-taken");
    }

    @Test
    void ledger_should_hold_a_claim_until_completed_released_or_lapsed() {
        Instant lapse = NOW.plusSeconds(60);
        assertEquals(Claim.CLAIMED, ledger.claim("p1", NOW, lapse));
        assertEquals(Claim.IN_PROGRESS, ledger.claim("p1", NOW.plusSeconds(10), lapse), "a live attempt holds it");
        ledger.releaseClaim("p1", lapse, NOW.plusSeconds(10));
        assertEquals(Claim.RECLAIMED, ledger.claim("p1", NOW.plusSeconds(11), lapse), "released: the retry claims it, as a retry");
        assertEquals(Claim.RECLAIMED, ledger.claim("p1", NOW.plusSeconds(61), NOW.plusSeconds(121)),
                "a claim whose attempt died lapses; its successor is a retry too");
        ledger.complete("p1", NOW.plusSeconds(62));
        ledger.releaseClaim("p1", NOW.plusSeconds(121), NOW.plusSeconds(63));
        assertEquals(Claim.COMPLETED, ledger.claim("p1", NOW.plusSeconds(200), NOW.plusSeconds(260)),
                "completed for the dedup window; a late release does not undo it");
        assertEquals(Claim.CLAIMED, ledger.claim("p1", NOW.plus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3))),
                "after the window the id may be reused, as a new publication");
    }

    @Test
    void a_stale_attempts_release_should_not_free_the_claim_of_the_attempt_that_took_it_over() {
        ledger.claim("p3", NOW, NOW.plusSeconds(60));                                   // attempt 1, then it stalls
        assertEquals(Claim.RECLAIMED, ledger.claim("p3", NOW.plusSeconds(61), NOW.plusSeconds(121))); // attempt 2 takes over
        ledger.releaseClaim("p3", NOW.plusSeconds(60), NOW.plusSeconds(62));            // attempt 1 wakes and fails
        assertEquals(Claim.IN_PROGRESS, ledger.claim("p3", NOW.plusSeconds(63), NOW.plusSeconds(123)),
                "attempt 2 still holds it: a third would post beside it");
        ledger.releaseClaim("p3", NOW.plusSeconds(121), NOW.plusSeconds(64));           // attempt 2's own release
        assertEquals(Claim.RECLAIMED, ledger.claim("p3", NOW.plusSeconds(65), NOW.plusSeconds(125)));
    }

    @Test
    void a_released_id_should_stay_known_as_released_for_the_dedup_window_and_no_longer() {
        ledger.claim("p2", NOW, NOW.plusSeconds(60));
        ledger.releaseClaim("p2", NOW.plusSeconds(60), NOW.plusSeconds(5));
        // SQS redelivers after its visibility timeout (3 minutes), EventBridge retries for up to a day
        assertEquals(Claim.RECLAIMED, ledger.claim("p2", NOW.plusSeconds(300), NOW.plusSeconds(360)));
        ledger.releaseClaim("p2", NOW.plusSeconds(360), NOW.plusSeconds(310));
        Instant pastWindow = NOW.plusSeconds(310).plus(Duration.ofHours(1)).plusSeconds(1); // this ledger's window: 1 h
        assertEquals(Claim.CLAIMED, ledger.claim("p2", pastWindow, pastWindow.plusSeconds(60)),
                "an expired release (TTL passed, not yet deleted) is a new claim");
        assertEquals(Claim.CLAIMED, ledger.claim("never-released", NOW, NOW.plusSeconds(60)));
    }

    @Test
    void stats_should_spread_over_shards_and_sum_on_read() {
        for (int i = 0; i < 40; i++) stats.add(Map.of(StatsStore.CONNECTIONS, 1L));
        for (int i = 0; i < 30; i++) stats.add(Map.of(StatsStore.CONNECTIONS, -1L)); // shards alone may go negative
        assertEquals(10L, stats.read().get(StatsStore.CONNECTIONS));
        long statsItems = ddb.client().scan(b -> b.tableName(ledgerTable)).items().stream()
                .filter(i -> i.get(DynamoDbSchema.PK).s().startsWith("stats")).count();
        assertTrue(statsItems > 1, "the counters live in " + statsItems + " items");
        assertTrue(statsItems <= DynamoDbStats.STATS_SHARDS);
    }

    /**
     * BatchGetItem leaving keys unprocessed, as AWS does when a partition's throughput is exceeded:
     * the second half of the keys asked, in the first {@code times} calls.
     */
    static final class UnprocessedGets implements ExecutionInterceptor {
        final int times;
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        UnprocessedGets(int times) {
            this.times = times;
        }

        @Override
        public software.amazon.awssdk.core.SdkResponse modifyResponse(Context.ModifyResponse c, ExecutionAttributes a) {
            if (!(c.response() instanceof software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse r) || calls.incrementAndGet() > times) {
                return c.response();
            }
            var asked = ((software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest) c.request()).requestItems();
            Map<String, List<Map<String, AttributeValue>>> served = new java.util.HashMap<>();
            Map<String, software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes> left = new java.util.HashMap<>();
            asked.forEach((table, ka) -> {
                List<Map<String, AttributeValue>> later = ka.keys().subList(ka.keys().size() / 2, ka.keys().size());
                served.put(table, r.responses().getOrDefault(table, List.of()).stream()
                        .filter(item -> later.stream().noneMatch(k -> k.entrySet().stream().allMatch(e -> e.getValue().equals(item.get(e.getKey())))))
                        .toList());
                if (!later.isEmpty()) left.put(table, ka.toBuilder().keys(later).build());
            });
            return r.toBuilder().responses(served).unprocessedKeys(left).build();
        }
    }

    @Test
    void stats_should_read_keys_left_unprocessed_and_give_up_when_they_stay() {
        for (int i = 0; i < 40; i++) stats.add(Map.of(StatsStore.CONNECTIONS, 1L));
        DynamoDbClient partial = ddb.clientWith(new UnprocessedGets(2));
        assertEquals(40L, new DynamoDbStats(partial, ledgerTable).read().get(StatsStore.CONNECTIONS));
        DynamoDbClient stuck = ddb.clientWith(new UnprocessedGets(Integer.MAX_VALUE));
        // bounded: a throttled partition gets a few spaced attempts, not a tight loop until the function times out
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(IllegalStateException.class, () -> new DynamoDbStats(stuck, ledgerTable).read()));
        partial.close();
        stuck.close();
    }

    @Test
    void stats_should_add_up() {
        stats.add(Map.of(StatsStore.CONNECTIONS, 2L, "x", 1L));
        stats.add(Map.of(StatsStore.CONNECTIONS, -1L));
        assertEquals(1L, stats.read().get(StatsStore.CONNECTIONS));
    }
}
