package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.Connection;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.topic.TopicPattern;
import io.herald.testing.EmbeddedDynamoDb;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Issue 11, item 5: forgetting many gone connections in batches (ConnectionRegistry.forgetAll
 * with DynamoDbConnectionSweeper) on Herald's engine. Each test builds gone connections and
 * connections that stay, sharing addresses, users and topics, and checks that afterwards no row
 * of a gone connection is left, the statistics and quotas equal what the staying connections
 * hold, and the staying connections are untouched.
 */
class DynamoDbConnectionSweeperTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static final Instant NOW = Instant.now().minusSeconds(60);
    static final ConnectionNotifier NO_POSTS = new ConnectionNotifier() {
        @Override
        public Outcome post(String connectionId, byte[] payload) {
            throw new AssertionError("cleanup posts nothing");
        }

        @Override
        public Outcome disconnect(String connectionId) {
            throw new AssertionError("cleanup closes nothing");
        }
    };

    EmbeddedDynamoDb.Tables tables;
    /** The registry as a test's other parties use it (a $disconnect, a subscribe): no interceptor. */
    ConnectionRegistry plain;
    final Delivery parallel = new Delivery(NO_POSTS, RetryPolicy.DEFAULT, 16);
    final List<Long> pauses = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final List<DynamoDbClient> clients = new ArrayList<>();
    /** What each connection holds: id -> connection, and its subscriptions' patterns. */
    final Map<String, Connection> all = new HashMap<>();
    final Map<String, Set<String>> patterns = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        tables = ddb.createTables();
        plain = registry(ddb.client());
    }

    @AfterEach
    void tearDown() {
        clients.forEach(DynamoDbClient::close);
    }

    // ---------------------------------------------------------------- the world

    ConnectionRegistry registry(DynamoDbClient client) {
        ConnectionRegistry r = new ConnectionRegistry(new DynamoDbConnectionStore(client, tables.connections()),
                new DynamoDbSubscriptionStore(client, tables.subscriptions(), tables.connections()),
                new DynamoDbStats(client, tables.ledger()), new DynamoDbQuotas(client, tables.ledger()));
        r.limitConnectionsPerUser(Map.of("topics", 50));
        r.sweepWith(new DynamoDbConnectionSweeper(client, tables.connections(), tables.subscriptions(), RetryPolicy.DEFAULT, pauses::add));
        return r;
    }

    /** A client of the engine that counts calls by request type and runs the given interceptors. */
    DynamoDbClient client(ExecutionInterceptor... interceptors) {
        DynamoDbClient c = DynamoDbClient.builder().endpointOverride(URI.create(ddb.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> {
                    o.addExecutionInterceptor(new ExecutionInterceptor() {
                        @Override
                        public void beforeExecution(Context.BeforeExecution x, ExecutionAttributes a) {
                            calls.computeIfAbsent(x.request().getClass().getSimpleName().replace("Request", ""),
                                    k -> new AtomicInteger()).incrementAndGet();
                        }
                    });
                    for (ExecutionInterceptor i : interceptors) o.addExecutionInterceptor(i);
                }).build();
        clients.add(c);
        return c;
    }

    int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    /**
     * {@code n} connections with ids {@code prefix0...}: seven addresses, topics and raffle
     * profiles, a third anonymous, one to three subscriptions each (exact, wildcard, filtered).
     */
    List<String> open(String prefix, int n) throws Exception {
        List<Connection> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String user = i % 3 == 0 ? null : "u" + (i % 40);
            made.add(new Connection(prefix + i, user, i % 4 == 0 ? "raffle" : "topics", NOW, "10.0." + (i % 7) + ".1", "test",
                    Map.of(), NOW.plus(Duration.ofHours(2)).getEpochSecond()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Connection c = made.get(i);
                int subs = 1 + i % 3;
                fs.add(pool.submit(() -> {
                    assertTrue(plain.register(c, 1_000, NOW), "admitted");
                    subscribe(c, "news." + (c.id().hashCode() & 7));
                    if (subs > 1) subscribe(c, "orders.*.shipped");
                    if (subs > 2) subscribe(c, new SubscriptionSpec(TopicPattern.parse("rooms.**"), Set.of("joined"), Map.of("lang", "de")));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        made.forEach(c -> all.put(c.id(), c));
        return made.stream().map(Connection::id).toList();
    }

    void subscribe(Connection c, String pattern) {
        subscribe(c, SubscriptionSpec.of(TopicPattern.parse(pattern)));
    }

    void subscribe(Connection c, SubscriptionSpec spec) {
        assertEquals(io.herald.core.store.SubscriptionStore.AddResult.ADDED, plain.subscribe(c, spec, 100, NOW));
        patterns.computeIfAbsent(c.id(), k -> ConcurrentHashMap.newKeySet()).add(spec.pattern().text());
    }

    /** Rows of the given connections still stored, in either table. */
    Set<String> rowsOf(Set<String> ids) {
        Set<String> left = new HashSet<>();
        ddb.client().scanPaginator(b -> b.tableName(tables.connections())).items()
                .forEach(i -> left.add(i.get(DynamoDbSchema.CONNECTION_ID).s()));
        ddb.client().scanPaginator(b -> b.tableName(tables.subscriptions())).items()
                .forEach(i -> left.add(i.get(DynamoDbSchema.SUB_CONNECTION).s()));
        left.retainAll(ids);
        return left;
    }

    /** The statistics and quota counts, as stored. */
    Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        plain.stats().read().forEach((k, v) -> {
            if (v != 0) out.put("stats." + k, v);
        });
        ddb.client().scanPaginator(b -> b.tableName(tables.ledger())).items().forEach(i -> {
            String pk = i.get(DynamoDbSchema.PK).s();
            if (!pk.startsWith("quota#")) return;
            long n = Long.parseLong(i.get("n").n());
            if (n != 0) out.put(pk, n);
        });
        return out;
    }

    /** What the counters must read when exactly {@code live} are stored, each with its subscriptions. */
    Map<String, Long> countersFor(Set<String> live) {
        Map<String, Long> out = new TreeMap<>();
        for (String id : live) {
            Connection c = all.get(id);
            int subs = patterns.getOrDefault(id, Set.of()).size();
            out.merge("stats.connections", 1L, Long::sum);
            out.merge("stats.connections_" + c.profile(), 1L, Long::sum);
            if (c.authenticated()) out.merge("stats.authenticated", 1L, Long::sum);
            if (subs > 0) {
                out.merge("stats.subscriptions", (long) subs, Long::sum);
                out.merge("stats.subscriptions_" + c.profile(), (long) subs, Long::sum);
            }
            out.merge("quota#ip#" + c.sourceIp(), 1L, Long::sum);
            if (c.authenticated() && c.profile().equals("topics")) out.merge("quota#user#topics#" + c.userId(), 1L, Long::sum);
        }
        return out;
    }

    /** Every staying connection still stored with every subscription it made. */
    void assertUntouched(Set<String> staying) {
        for (String id : staying) {
            assertTrue(plain.connections().get(id, Instant.now()).isPresent(), id + " still stored");
            Set<String> stored = new HashSet<>();
            StoredSubscriptions.of(ddb.client(), tables.subscriptions(), id).forEach(s -> stored.add(s.spec().pattern().text()));
            assertEquals(patterns.get(id), stored, id + "'s subscriptions");
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void forgetting_250_gone_connections_should_leave_no_rows_exact_counters_and_the_others_untouched() throws Exception {
        List<String> gone = open("g", 250);
        Set<String> staying = Set.copyOf(open("k", 60));
        assertEquals(countersFor(all.keySet()), counters(), "the world adds up before");
        ConnectionRegistry sweeping = registry(client());

        List<String> failed = sweeping.forgetAll(gone, parallel::forEach);

        assertEquals(List.of(), failed);
        assertEquals(Set.of(), rowsOf(Set.copyOf(gone)), "rows left for gone connections");
        assertEquals(countersFor(staying), counters(), "statistics and quotas: what the staying connections hold");
        assertUntouched(staying);
        // in batches: 3 reads of 100 and 3 transactions, 20 subscription deletes of 25; nothing one by one
        assertEquals(3, calls("BatchGetItem"));
        assertEquals(3, calls("TransactWriteItems"));
        assertEquals(20, calls("BatchWriteItem"), "499 subscriptions in batches of 199, 200 and 100, 25 a call");
        assertEquals(0, calls("DeleteItem") + calls("GetItem"), "no connection took the one-by-one path");
        Set<String> quotaKeys = new HashSet<>();
        countersFor(Set.copyOf(gone)).keySet().forEach(k -> {
            if (k.startsWith("quota#")) quotaKeys.add(k);
        });
        assertEquals(quotaKeys.size() + 1, calls("UpdateItem"), "one release per quota (7 addresses, "
                + (quotaKeys.size() - 7) + " users) for 250 connections, one statistics write");
    }

    @Test
    void a_second_cleanup_of_the_same_connections_should_change_nothing() throws Exception {
        List<String> gone = open("g", 120);
        Set<String> staying = Set.copyOf(open("k", 20));
        ConnectionRegistry sweeping = registry(client());
        assertEquals(List.of(), sweeping.forgetAll(gone, parallel::forEach));
        Map<String, Long> after = counters();

        assertEquals(List.of(), sweeping.forgetAll(gone, parallel::forEach), "a later 410 of the same connections");

        assertEquals(after, counters());
        assertEquals(countersFor(staying), after);
        assertEquals(Set.of(), rowsOf(Set.copyOf(gone)));
    }

    /**
     * Between the batch's read and its transaction: a $disconnect forgets g0, g1 subscribes once
     * more, anonymous g3 authenticates. Their conditions fail; they go the one-by-one way, the
     * other 97 stay in the batch, and every counter is exact.
     */
    @Test
    void connections_changed_between_read_and_delete_should_be_forgotten_one_by_one_and_counted_once() throws Exception {
        List<String> gone = open("g", 100);
        Set<String> staying = Set.copyOf(open("k", 10));
        AtomicBoolean once = new AtomicBoolean();
        ConnectionRegistry sweeping = registry(client(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
                if (!(c.request() instanceof TransactWriteItemsRequest) || !once.compareAndSet(false, true)) return;
                assertTrue(plain.forget("g0").isPresent(), "the $disconnect got there first");
                subscribe(all.get("g1"), "late.topic");
                assertTrue(plain.authenticate(all.get("g3"), "late-user", Map.of()));
            }
        }));

        assertEquals(List.of(), sweeping.forgetAll(gone, parallel::forEach));

        assertTrue(once.get());
        Set<String> expected = new HashSet<>(staying);
        assertEquals(Set.of(), rowsOf(Set.copyOf(gone)));
        Map<String, Long> want = countersFor(expected);
        assertEquals(want, counters(), "g1's late subscription and g3's authentication counted off exactly once");
        assertEquals(2, calls("TransactWriteItems"), "one cancelled, one for the other 97");
        assertEquals(3, calls("GetItem"), "g0, g1 and g3 one by one (one read of each one's subscriptions)");
        assertUntouched(staying);
    }

    @Test
    void disconnects_and_unsubscribes_racing_the_cleanup_should_count_every_connection_once() throws Exception {
        Set<String> staying = Set.copyOf(open("k", 30));
        for (int round = 0; round < 3; round++) {
            List<String> gone = open("r" + round + "-", 200);
            ConnectionRegistry sweeping = registry(client());
            ExecutorService racers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> fs = new ArrayList<>();
                fs.add(racers.submit(() -> sweeping.forgetAll(gone, parallel::forEach)));
                for (int t = 0; t < 3; t++) {
                    int from = t;
                    fs.add(racers.submit(() -> {
                        for (int i = from; i < gone.size(); i += 3) {
                            String id = gone.get(i);
                            if (i % 2 == 0) plain.forget(id); // its $disconnect
                            else plain.unsubscribe(all.get(id), TopicPattern.parse("news." + (id.hashCode() & 7)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
            } finally {
                racers.shutdownNow();
            }
            // an unsubscribe that lost to the cleanup removed nothing; one that won took its subscription off the counter
            assertEquals(Set.of(), rowsOf(Set.copyOf(gone)), "round " + round);
            assertEquals(countersFor(staying), counters(), "round " + round);
        }
        assertUntouched(staying);
    }

    /** BatchWriteItem processes one item of each of its first 12 calls; the rest comes back as UnprocessedItems. */
    static final class PartialBatchWrites implements ExecutionInterceptor {
        static final ExecutionAttribute<Map<String, List<WriteRequest>>> DROPPED = new ExecutionAttribute<>("herald.test.dropped");
        final AtomicInteger partial = new AtomicInteger(12);
        final AtomicInteger cut = new AtomicInteger();
        final AtomicInteger returned = new AtomicInteger();

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest c, ExecutionAttributes a) {
            if (c.request() instanceof BatchWriteItemRequest r && partial.getAndDecrement() > 0) {
                Map.Entry<String, List<WriteRequest>> e = r.requestItems().entrySet().iterator().next();
                if (e.getValue().size() > 1) {
                    cut.incrementAndGet();
                    a.putAttribute(DROPPED, Map.of(e.getKey(), e.getValue().subList(1, e.getValue().size())));
                    return r.toBuilder().requestItems(Map.of(e.getKey(), e.getValue().subList(0, 1))).build();
                }
            }
            return c.request();
        }

        @Override
        public SdkResponse modifyResponse(Context.ModifyResponse c, ExecutionAttributes a) {
            Map<String, List<WriteRequest>> dropped = a.getAttribute(DROPPED);
            if (dropped == null || !(c.response() instanceof BatchWriteItemResponse r)) return c.response();
            dropped.values().forEach(l -> returned.addAndGet(l.size()));
            return r.toBuilder().unprocessedItems(dropped).build();
        }
    }

    @Test
    void unprocessed_subscription_deletes_should_be_sent_again_with_backoff() throws Exception {
        List<String> gone = open("g", 150);
        Set<String> staying = Set.copyOf(open("k", 20));
        PartialBatchWrites partial = new PartialBatchWrites();
        ConnectionRegistry sweeping = registry(client(partial));

        assertEquals(List.of(), sweeping.forgetAll(gone, parallel::forEach));

        assertTrue(partial.cut.get() > 0 && partial.returned.get() > partial.cut.get(), "unprocessed items: " + partial.returned);
        assertEquals(partial.cut.get(), pauses.size(), "one backoff pause after each call that left items unprocessed");
        assertEquals(Set.of(), rowsOf(Set.copyOf(gone)), "every unprocessed delete was sent again");
        assertEquals(countersFor(staying), counters());
        assertUntouched(staying);
    }

    @Test
    void subscription_deletes_refused_past_the_retries_should_be_left_for_the_next_410_and_counted_once() throws Exception {
        List<String> gone = open("g", 60);
        Set<String> staying = Set.copyOf(open("k", 10));
        ConnectionRegistry refused = registry(client(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
                if (c.request() instanceof BatchWriteItemRequest) {
                    throw ProvisionedThroughputExceededException.builder().message("slow down").build();
                }
            }
        }));

        assertEquals(List.of(), refused.forgetAll(gone, parallel::forEach), "the connections themselves were forgotten");

        assertEquals(countersFor(staying), counters(), "their subscriptions counted off with them");
        assertEquals(RetryPolicy.DEFAULT.maxAttempts() - 1, pauses.size(), "bounded: one batch, four tries");
        Set<String> left = rowsOf(Set.copyOf(gone));
        assertEquals(Set.copyOf(gone), left, "every subscription row is still there, its connection item is not");
        for (String id : gone) assertTrue(plain.connections().get(id, Instant.now()).isEmpty());
        // a client's late unsubscribe of a forgotten connection deletes, but counts nothing again
        String g1 = gone.get(1);
        assertEquals(0, plain.unsubscribe(all.get(g1), TopicPattern.parse("news." + (g1.hashCode() & 7))));

        // the next publication finds them, answers 410, and the cleanup finds them through the index
        assertEquals(List.of(), registry(client()).forgetAll(gone, parallel::forEach));
        assertEquals(Set.of(), rowsOf(Set.copyOf(gone)));
        assertEquals(countersFor(staying), counters());
        assertUntouched(staying);
    }

    @Test
    void releasing_several_quota_units_should_take_them_at_once_and_never_go_below_zero() {
        DynamoDbQuotas quotas = new DynamoDbQuotas(ddb.client(), tables.ledger());
        Instant exp = NOW.plusSeconds(3600);
        for (int i = 0; i < 5; i++) assertTrue(quotas.acquire("ip#a", 10, NOW, exp));
        for (int i = 0; i < 2; i++) assertTrue(quotas.acquire("ip#b", 10, NOW, exp));

        quotas.release("ip#a", 3);
        quotas.release("ip#b", 3);
        quotas.release("ip#c", 2);

        assertEquals(Map.of("quota#ip#a", 2L), counters());
    }
}
