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
import io.herald.core.delivery.Deadline;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.fanout.FanOutQueue;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Subscriber;
import io.herald.core.profile.TopicsProfile;
import io.herald.jwt.JwtVerifier;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.nio.charset.StandardCharsets;
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
        /** The largest body queued, in bytes, by kind of task. */
        final Map<String, Integer> largest = new ConcurrentHashMap<>();

        @Override
        public synchronized void enqueue(List<FanOutTask> t) {
            // through the wire form, as SQS carries them
            for (FanOutTask task : t) {
                String body = FanOutTask.write(task);
                largest.merge(task.getClass().getSimpleName(), body.getBytes(StandardCharsets.UTF_8).length, Math::max);
                tasks.add(FanOutTask.read(body));
            }
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
        return subscribers(s, n, TOPIC, "c");
    }

    List<String> subscribers(Services s, int n, String topic, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(subscribe(s, prefix + i + "=", topic));
        notifier.recorded.frames.clear(); // the subscribe acknowledgements
        notifier.attempts.clear();
        return ids;
    }

    /** Connects {@code id} (user u + id) and subscribes it; the acknowledgement stays recorded. */
    String subscribe(Services s, String id, String topic) {
        assertEquals(200, s.connect.connect(new ConnectRequest(id, Map.of("token", Tokens.forUser("u" + id)), Map.of(),
                "10.0.0." + Math.floorMod(id.hashCode(), 200), "test"), Instant.now()).status());
        s.sessions.onMessage(id, "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}", Instant.now());
        return id;
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

    /**
     * A worker near its timeout stops starting posts (the handler's deadline); the batch records
     * whom it reached and fails, and its retry posts to the rest: each connection once, where a
     * batch cut off by the timeout would have recorded nothing and been posted again whole.
     */
    @Test
    void a_batch_whose_deadline_passes_mid_way_should_record_whom_it_reached_and_retry_only_the_rest() {
        Services s = services(tree(), 12, 1000);
        List<String> ids = subscribers(s, 40);
        s.publisher.publish(publication("deadline-1"), Instant.now());
        List<FanOutTask.Batch> batches = new ArrayList<>();
        while (!queue.tasks.isEmpty()) {
            FanOutTask t = queue.tasks.poll();
            if (t instanceof FanOutTask.Batch b) batches.add(b);
            else s.fanOut.handle(t, Instant.now());
        }
        FanOutTask.Batch batch = batches.stream().max(java.util.Comparator.comparingInt(b -> b.connectionIds().size())).orElseThrow();
        int half = batch.connectionIds().size() / 2;
        assertTrue(half >= 2, "a batch of " + batch.connectionIds().size());

        AtomicInteger posts = new AtomicInteger();
        notifier.fault = id -> {
            posts.incrementAndGet();
            return null;
        };
        AtomicInteger checks = new AtomicInteger();
        Deadline runsOut = () -> checks.incrementAndGet() <= half ? 1_000 : 0; // asked once before each post
        assertThrows(FanOutIncompleteException.class, () -> s.fanOut.handle(batch, Instant.now(), runsOut));
        assertEquals(half, posts.get(), "no post started once it had passed");

        s.fanOut.handle(batch, Instant.now()); // the retry, with time
        assertEquals(batch.connectionIds().size(), posts.get(), "the retry posted to the rest only");
        for (FanOutTask.Batch b : batches) if (b != batch) s.fanOut.handle(b, Instant.now());
        assertOnePostEach(ids);
    }

    /**
     * Every post of a batch refused (403: a wrong stage or grant) is the deployment's fault, not the
     * connections': the batch fails back to its queue instead of completing, and is delivered once
     * the deployment is fixed.
     */
    @Test
    void a_batch_whose_every_post_is_refused_should_fail_back_to_its_queue_and_deliver_once_fixed() {
        Services s = services(tree(), 12, 10);
        List<String> ids = subscribers(s, 40);
        java.util.concurrent.atomic.AtomicBoolean misconfigured = new java.util.concurrent.atomic.AtomicBoolean(true);
        notifier.fault = id -> misconfigured.get() ? ConnectionNotifier.Outcome.REJECTED : null;
        s.publisher.publish(publication("refused-1"), Instant.now());
        int failed = 0;
        for (int i = 0; i < 40 && !queue.tasks.isEmpty(); i++) {
            FanOutTask t = queue.tasks.poll();
            try {
                s.fanOut.handle(t, Instant.now());
            } catch (RetryablePublicationException e) {
                failed++;
                queue.tasks.add(t); // SQS returns it after its visibility timeout
            }
        }
        assertTrue(failed >= 4, failed + " batch attempts failed back while every post was refused");
        assertTrue(notifier.recorded.frames.isEmpty(), "nothing delivered meanwhile");
        misconfigured.set(false); // the stage or the grant fixed
        drain(s);
        assertOnePostEach(ids);
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

    /**
     * Three topics, 100 KB of data: three frames of about 100 KB, over SQS's 256 KB together. Each
     * batch task carries one of them, the shard tasks the publication: nothing passes 256 KB.
     */
    @Test
    void a_publication_whose_frames_pass_256_KB_together_should_reach_everyone_once_through_the_tree() {
        Services s = services(tree(), 12, 10);
        List<String> topics = List.of(TOPIC, TOPIC + "2", TOPIC + "3");
        List<String> ids = new ArrayList<>();
        for (int t = 0; t < topics.size(); t++) ids.addAll(subscribers(s, 8, topics.get(t), "t" + t + "-"));
        Publication p = new Publication("frames-1", "raffle_drawn", topics, Json.object().put("pad", "p".repeat(100_000)), null);

        assertEquals(SHARDS, s.publisher.publish(p, Instant.now()).tasks());
        assertEquals(0, drain(s));

        assertOnePostEach(ids);
        Map<String, Integer> frameBytes = new java.util.TreeMap<>();
        ids.forEach(id -> {
            String f = notifier.recorded.last(id);
            frameBytes.put(Json.parse(f).get("topic").asText(), f.getBytes(StandardCharsets.UTF_8).length);
        });
        assertEquals(new java.util.TreeSet<>(topics), frameBytes.keySet(), "one encoding per topic");
        assertTrue(frameBytes.values().stream().mapToInt(Integer::intValue).sum() > FanOutTask.MAX_BODY_BYTES, frameBytes.toString());
        assertTrue(queue.largest.get("Batch") <= FanOutTask.MAX_BODY_BYTES, queue.largest.toString());
        assertTrue(queue.largest.get("Shard") <= FanOutTask.MAX_BODY_BYTES, queue.largest.toString());
    }

    /**
     * Why no task needs its payload stored by reference: the topics profile renders a
     * publication's type, data and metadata whole, and every frame must fit API Gateway's 128 KB,
     * so a shard task (the publication plus at most 20 topics of 1,020 characters and the id
     * twice) stays far below 256 KB. This is the largest publication the frame check lets
     * through: 20 topics of the longest length, an id of 256 characters that JSON escapes to six
     * bytes each, and data and metadata that fill the topics frame to the limit.
     */
    @Test
    void the_largest_publication_the_frame_check_admits_should_fit_every_task_in_256_KB() {
        Services s = services(tree(), 2, 10);
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String head = "wide" + i + ".";
            topics.add(head + "x".repeat(io.herald.core.topic.Topic.MAX_LENGTH - head.length()));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 6; i++) ids.add(subscribe(s, "w" + i + "=", topics.get(ids.size() < 5 ? 0 : 19)));
        ids.forEach(c -> assertTrue(notifier.recorded.last(c).contains("\"subscribed\""), notifier.recorded.last(c)));
        notifier.recorded.frames.clear();
        String id = "\u0001".repeat(io.herald.core.model.PublicationCodec.MAX_ID_LENGTH);
        int limit = HeraldConfig.API_GATEWAY_MESSAGE_LIMIT;
        Publication p = largest(id, topics, limit);
        Publication over = largest(id, topics, limit + 1024);

        InvalidPublicationException refused = assertThrows(InvalidPublicationException.class,
                () -> s.publisher.publish(over, Instant.now()), "1 KB more is refused: this is the edge");
        assertTrue(refused.isTooLarge());
        assertEquals(SHARDS, s.publisher.publish(p, Instant.now()).tasks());
        assertEquals(0, drain(s));

        assertOnePostEach(ids);
        int shard = queue.largest.get("Shard");
        assertTrue(shard <= FanOutTask.MAX_BODY_BYTES, shard + " bytes");
        assertTrue(shard < limit + 30 * 1024, "the publication, 20 topics and the id: " + shard + " bytes");

        // a batch: one such frame and FanOutBatchSize's most (1,000) ids of API Gateway's shape (16 characters)
        List<String> connections = new ArrayList<>();
        for (int i = 0; i < 1000; i++) connections.add(String.format("L0SM9cOFv%06d=", i));
        String key = id + "#63#topics#" + topics.get(0) + "#999";
        int batch = FanOutTask.write(new FanOutTask.Batch(id, key, new byte[limit], connections)).getBytes(StandardCharsets.UTF_8).length;
        assertTrue(batch <= FanOutTask.MAX_BODY_BYTES, batch + " bytes");
    }

    /** A publication whose topics frame (for any of its topics, all of one length) is {@code frameBytes} long, within 64 bytes. */
    static Publication largest(String id, List<String> topics, int frameBytes) {
        Function<Integer, Publication> of = pad -> new Publication(id, "raffle_drawn", topics,
                Json.object().put("pad", "d".repeat(pad / 2)), Json.object().put("pad", "m".repeat(pad - pad / 2)));
        int base = new TopicsProfile().renderEvent(of.apply(0), topics.get(0), Instant.now()).length();
        Publication p = of.apply(frameBytes - 64 - base);
        int frame = new TopicsProfile().renderEvent(p, topics.get(0), Instant.now()).length();
        assertTrue(frame <= frameBytes && frame > frameBytes - 128, frame + " bytes");
        return p;
    }

    @Test
    void a_malformed_task_should_be_refused_with_what_is_wrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FanOutTask.read("{\"pub\":\"p\",\"task\":\"nope\"}"));
        assertTrue(e.getMessage().contains("nope"));
        assertThrows(IllegalArgumentException.class, () -> FanOutTask.read("not json"));
        assertThrows(IllegalArgumentException.class, () -> FanOutTask.read("{\"pub\":\"p\",\"task\":\"batch\",\"key\":\"k\",\"frame\":\"!!\"}"));
    }
}
