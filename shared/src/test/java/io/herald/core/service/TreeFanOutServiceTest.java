package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbDeliveredSets;
import io.herald.aws.dynamodb.DynamoDbPublicationLedger;
import io.herald.aws.dynamodb.DynamoDbQuotas;
import io.herald.aws.dynamodb.DynamoDbStats;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.fanout.FanOutQueue;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.core.model.Subscriber;
import io.herald.jwt.JwtVerifier;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 in the core, over the embedded engine: the inline path below the limit, the tree above
 * it, once per connection despite retried and duplicated tasks, and the backoff. The queue is a
 * list here (the SQS one runs in the local stack's TreeFanOutTest).
 */
class TreeFanOutServiceTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static final String TOPIC = "raffles.big";
    static final int SHARDS = 4;

    /** A queue that keeps what it is given; the test plays the workers. */
    static final class ListQueue implements FanOutQueue {
        final Deque<FanOutTask> tasks = new ArrayDeque<>();
        final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public synchronized void enqueue(List<FanOutTask> t) {
            // through the wire form, as SQS carries them
            t.forEach(task -> tasks.add(FanOutTask.read(FanOutTask.write(task))));
        }

        @Override
        public void retryAfter(String handle, Duration delay) {
            delays.add(delay);
        }
    }

    /** Records like RecordingNotifier; answers a connection's post with {@code fault} while it returns non-null. */
    static final class FaultyNotifier implements ConnectionNotifier {
        final RecordingNotifier recorded = new RecordingNotifier();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        volatile Function<String, Outcome> fault = id -> null;

        @Override
        public Outcome post(String connectionId, byte[] payload) {
            attempts.computeIfAbsent(connectionId, x -> new AtomicInteger()).incrementAndGet();
            Outcome o = fault.apply(connectionId);
            return o != null ? o : recorded.post(connectionId, payload);
        }

        @Override
        public Outcome disconnect(String connectionId) {
            return recorded.disconnect(connectionId);
        }
    }

    ListQueue queue;
    FaultyNotifier notifier;
    List<Long> sleeps;
    EmbeddedDynamoDb.Tables tables;
    ConnectionRegistry registry;

    @BeforeEach
    void setUp() {
        tables = ddb.createTables();
        queue = new ListQueue();
        notifier = new FaultyNotifier();
        sleeps = new CopyOnWriteArrayList<>();
        registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb.client(), tables.connections()),
                new DynamoDbSubscriptionStore(ddb.client(), tables.subscriptions(), tables.connections(), SHARDS, c -> { }),
                new DynamoDbStats(ddb.client(), tables.ledger()), new DynamoDbQuotas(ddb.client(), tables.ledger()));
    }

    Services services(FanOutPorts tree, int inlineLimit, int batchSize) {
        return new Services(Clock.systemUTC(), HeraldConfig.defaults().withFanOut(inlineLimit, batchSize), registry,
                new DynamoDbPublicationLedger(ddb.client(), tables.ledger(), Duration.ofHours(1)), notifier,
                JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()), line -> { }, sleeps::add, null, tree);
    }

    FanOutPorts tree() {
        return new FanOutPorts(queue, new DynamoDbDeliveredSets(ddb.client(), tables.ledger()),
                new DynamoDbPublicationLedger(ddb.client(), tables.ledger(), Duration.ofHours(1), "fob#"),
                new io.herald.aws.dynamodb.DynamoDbBatchPlans(ddb.client(), tables.ledger()));
    }

    List<String> subscribers(Services s, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "c" + i + "=";
            assertEquals(200, s.connect.connect(new ConnectRequest(id, Map.of("token", Tokens.forUser("u" + i)), Map.of(),
                    "10.0.0." + (i % 200), "test"), Instant.now()).status());
            s.sessions.onMessage(id, "{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}", Instant.now());
            ids.add(id);
        }
        notifier.recorded.frames.clear(); // the subscribe acknowledgements
        notifier.attempts.clear();
        return ids;
    }

    static Publication publication(String id) {
        return new Publication(id, "raffle_drawn", List.of(TOPIC), Json.object().put("winner", "u7"), null);
    }

    /** Plays the workers until the queue is empty; a failed task goes to the back, as SQS returns it later. */
    int drain(Services s) {
        int failures = 0;
        while (!queue.tasks.isEmpty()) {
            FanOutTask t = queue.tasks.poll();
            try {
                s.fanOut.handle(t, Instant.now());
            } catch (RetryablePublicationException e) {
                failures++;
                s.fanOut.retryLater("handle", failures);
                queue.tasks.add(t);
            }
        }
        return failures;
    }

    void assertOnePostEach(List<String> ids) {
        for (String id : ids) assertEquals(1, notifier.recorded.to(id).size(), "frames to " + id);
    }

    @Test
    void a_topic_at_the_inline_limit_should_be_posted_by_the_publisher_as_before() {
        Services s = services(tree(), 12, 5);
        List<String> ids = subscribers(s, 12);

        PublishService.Result r = s.publisher.publish(publication("small-1"), Instant.now());

        assertEquals(new PublishService.Result("small-1", false, 12, 12, 0, 0, 0, 0), r);
        assertTrue(queue.tasks.isEmpty(), "nothing handed to the workers");
        assertOnePostEach(ids);
        assertTrue(r.toJson().get("tasks") == null, "the inline result reads as before: " + r.toJson());
        // the same frames as a deployment without a fan-out queue
        String treeFrame = notifier.recorded.last(ids.get(0));
        notifier.recorded.frames.clear();
        services(FanOutPorts.NONE, 12, 5).publisher.publish(publication("small-2"), Instant.now());
        String ts = "\"timestamp\":\"[^\"]*\"";
        assertEquals(treeFrame.replaceAll(ts, ""), notifier.recorded.last(ids.get(0)).replaceAll(ts, ""));
    }

    @Test
    void a_topic_above_the_limit_should_become_one_task_per_shard_and_reach_everyone_once() {
        Services s = services(tree(), 12, 5);
        List<String> ids = subscribers(s, 40);

        PublishService.Result r = s.publisher.publish(publication("big-1"), Instant.now());

        assertEquals(SHARDS, r.tasks());
        assertEquals(0, r.delivered());
        assertTrue(notifier.recorded.frames.isEmpty(), "the publisher posts nothing");
        assertEquals(SHARDS, queue.tasks.size());
        assertTrue(queue.tasks.stream().allMatch(t -> t instanceof FanOutTask.Shard));
        assertEquals(0, drain(s));
        assertOnePostEach(ids);
        // the publication id is completed: a redelivery of it is a duplicate, no task
        assertTrue(s.publisher.publish(publication("big-1"), Instant.now()).duplicate());
        assertTrue(queue.tasks.isEmpty());
    }

    @Test
    void shard_and_batch_tasks_delivered_twice_should_not_post_twice() {
        Services s = services(tree(), 12, 5);
        List<String> ids = subscribers(s, 40);
        s.publisher.publish(publication("dup-1"), Instant.now());
        List<FanOutTask> shards = new ArrayList<>(queue.tasks);
        queue.tasks.addAll(shards); // SQS delivered every shard task twice: twice the batches, same keys
        drain(s);
        assertOnePostEach(ids);
    }

    @Test
    void a_batch_failing_mid_way_should_record_whom_it_reached_and_retry_only_the_rest() {
        Services s = services(tree(), 12, 10);
        List<String> ids = subscribers(s, 40);
        String stubborn = ids.get(3);
        AtomicInteger failuresLeft = new AtomicInteger(9); // two task attempts' 4 tries each, and one more
        notifier.fault = id -> id.equals(stubborn) && failuresLeft.getAndDecrement() > 0 ? ConnectionNotifier.Outcome.RETRYABLE : null;

        s.publisher.publish(publication("mid-1"), Instant.now());
        int failures = drain(s);

        assertEquals(2, failures, "the stubborn connection's batch failed twice, then completed");
        assertOnePostEach(ids);
        for (String id : ids) {
            int expected = id.equals(stubborn) ? 10 : 1;
            assertEquals(expected, notifier.attempts.get(id).get(), "posts tried to " + id);
        }
        assertEquals(2, queue.delays.size(), "each failure held its task back");
    }

    @Test
    void throttling_should_back_off_and_never_drop() {
        Services s = services(tree(), 12, 10);
        List<String> ids = subscribers(s, 30);
        Set<String> throttledOnce = ConcurrentHashMap.newKeySet();
        notifier.fault = id -> throttledOnce.add(id) ? ConnectionNotifier.Outcome.RETRYABLE : null; // every first post: 429

        s.publisher.publish(publication("slow-1"), Instant.now());
        drain(s);

        assertOnePostEach(ids);
        assertEquals(ids.size(), sleeps.size(), "one backoff sleep before each retried post");
        // a task that keeps failing waits longer each time, up to the cap
        Duration first = FanOutService.retryDelay(1), fifth = FanOutService.retryDelay(5), late = FanOutService.retryDelay(40);
        assertTrue(first.toMillis() >= 500 && first.toMillis() <= 1000, first.toString());
        assertTrue(fifth.toMillis() >= 8000 && fifth.toMillis() <= 16000, fifth.toString());
        assertTrue(late.toMillis() >= 60000 && late.toMillis() <= 120000, late.toString());
    }

    @Test
    void the_bounded_read_should_stop_past_the_limit_and_the_shards_should_hold_every_subscriber_once() {
        Services s = services(tree(), 12, 10);
        List<String> ids = subscribers(s, 25);
        var store = registry.subscriptions();
        Instant now = Instant.now();
        assertTrue(store.candidates(TOPIC, now, 24).isEmpty());
        assertEquals(25, store.candidates(TOPIC, now, 25).orElseThrow().size());
        Set<String> union = new HashSet<>();
        int total = 0;
        for (int shard = 0; shard < store.shards(); shard++) {
            for (Subscriber sub : store.candidates(TOPIC, shard, now)) {
                union.add(sub.connectionId());
                total++;
            }
        }
        assertEquals(new HashSet<>(ids), union);
        assertEquals(25, total);
        assertThrows(IllegalArgumentException.class, () -> store.candidates(TOPIC, SHARDS, now));
    }

    /** The publisher's test of a large topic must not read it: about twice the limit, not every shard's first 1 MB page. */
    @Test
    void the_bounded_read_of_a_large_topic_should_read_about_twice_the_limit() {
        Services s = services(tree(), 12, 10);
        subscribers(s, 300);
        Instant now = Instant.now();
        ddb.resetCounters();
        assertTrue(registry.subscriptions().candidates(TOPIC, now, 20).isEmpty());
        int read = ddb.itemsQueried.get();
        assertTrue(read <= 3 * 21, read + " items read to learn that 300 exceed 20");
        ddb.resetCounters();
        assertEquals(300, registry.subscriptions().candidates(TOPIC, now).size());
        assertEquals(300, ddb.itemsQueried.get());
    }

    @Test
    void a_malformed_task_should_be_refused_with_what_is_wrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FanOutTask.read("{\"pub\":\"p\",\"task\":\"nope\"}"));
        assertTrue(e.getMessage().contains("nope"));
        assertThrows(IllegalArgumentException.class, () -> FanOutTask.read("not json"));
        assertThrows(IllegalArgumentException.class, () -> FanOutTask.read("{\"pub\":\"p\",\"task\":\"batch\",\"key\":\"k\",\"frame\":\"!!\"}"));
    }
}
