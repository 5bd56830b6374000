package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.dynamodb.DynamoDbBatchPlans;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbDeliveredSets;
import io.herald.aws.dynamodb.DynamoDbPublicationLedger;
import io.herald.aws.dynamodb.DynamoDbQuotas;
import io.herald.aws.dynamodb.DynamoDbStats;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.core.model.Subscriber;
import io.herald.jwt.JwtVerifier;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A shard task that runs twice (its own enqueue failed part-way, the publisher's retry, a timeout
 * of another record in the Lambda batch, SQS delivering it twice) reads its shard afresh each time.
 * A subscriber joining or leaving in between must not move anyone else to another batch key:
 * a key standing for two different sets of connections loses some (a completed key skips the other
 * version) and posts others twice.
 */
class StableBatchKeysTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static final String TOPIC = TreeFanOutServiceTest.TOPIC;
    static final int SHARDS = 4;

    TreeFanOutServiceTest.ListQueue queue;
    TreeFanOutServiceTest.FaultyNotifier notifier;
    EmbeddedDynamoDb.Tables tables;
    ConnectionRegistry registry;
    Services s;

    @BeforeEach
    void setUp() {
        tables = ddb.createTables();
        queue = new TreeFanOutServiceTest.ListQueue();
        notifier = new TreeFanOutServiceTest.FaultyNotifier();
        registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb.client(), tables.connections()),
                new DynamoDbSubscriptionStore(ddb.client(), tables.subscriptions(), tables.connections(), SHARDS, c -> { }),
                new DynamoDbStats(ddb.client(), tables.ledger()), new DynamoDbQuotas(ddb.client(), tables.ledger()));
        FanOutPorts tree = new FanOutPorts(queue, new DynamoDbDeliveredSets(ddb.client(), tables.ledger()),
                new DynamoDbPublicationLedger(ddb.client(), tables.ledger(), Duration.ofHours(1), "fob#"),
                new DynamoDbBatchPlans(ddb.client(), tables.ledger()));
        s = new Services(Clock.systemUTC(), HeraldConfig.defaults().withFanOut(12, 2), registry,
                new DynamoDbPublicationLedger(ddb.client(), tables.ledger(), Duration.ofHours(1)), notifier,
                JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()), line -> { }, ms -> { }, null, tree);
    }

    void subscribe(String id, int n) {
        assertEquals(200, s.connect.connect(new ConnectRequest(id, Map.of("token", Tokens.forUser("u" + n)), Map.of(),
                "10.0.1." + (n % 200), "test"), Instant.now()).status());
        s.sessions.onMessage(id, "{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}", Instant.now());
    }

    List<String> subscribers(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            subscribe("c" + i + "=", i);
            ids.add("c" + i + "=");
        }
        notifier.recorded.frames.clear(); // the subscribe acknowledgements
        return ids;
    }

    List<String> shardIds(int shard) {
        return registry.subscriptions().candidates(TOPIC, shard, Instant.now()).stream().map(Subscriber::connectionId).sorted().toList();
    }

    List<FanOutTask> taken() {
        List<FanOutTask> out = new ArrayList<>(queue.tasks);
        queue.tasks.clear();
        return out;
    }

    /**
     * Publishes, runs the shard task of {@code shard} once, calls {@code between}, runs it again,
     * then posts the two versions' batches interleaved (the newer's first, the older's second and
     * first, the newer's second, ...) and every other task.
     */
    void runTwiceAround(int shard, Runnable between) {
        s.publisher.publish(new Publication("twice-1", "raffle_drawn", List.of(TOPIC), Json.object().put("w", 1), null), Instant.now());
        List<FanOutTask> shards = taken();
        FanOutTask task = shards.stream().filter(t -> ((FanOutTask.Shard) t).shard() == shard).findFirst().orElseThrow();
        s.fanOut.handle(task, Instant.now());
        List<FanOutTask> older = taken();
        between.run();
        s.fanOut.handle(task, Instant.now());
        List<FanOutTask> newer = taken();
        List<FanOutTask> order = new ArrayList<>();
        for (int i = 0; i < Math.max(older.size(), newer.size()); i += 2) {
            for (int[] pick : new int[][] {{1, i}, {0, i + 1}, {0, i}, {1, i + 1}}) {
                List<FanOutTask> version = pick[0] == 1 ? newer : older;
                if (pick[1] < version.size()) order.add(version.get(pick[1]));
            }
        }
        shards.remove(task);
        queue.tasks.addAll(order);
        queue.tasks.addAll(shards);
        while (!queue.tasks.isEmpty()) s.fanOut.handle(queue.tasks.poll(), Instant.now());
    }

    void assertPosts(List<String> ids, int expected) {
        for (String id : ids) assertEquals(expected, notifier.recorded.to(id).size(), "frames to " + id);
    }

    /** The shard of the first of {@code prefix}0=, {@code prefix}1=, ... whose shard holds at least three subscribers. */
    record Placed(String id, int shard) {}

    Placed placed(String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + i + "=";
            int shard = Math.floorMod(id.hashCode(), SHARDS); // DynamoDbSubscriptionStore's rule, checked below
            if (shardIds(shard).size() >= 3) return new Placed(id, shard);
        }
    }

    @Test
    void a_subscriber_joining_between_two_runs_of_a_shard_task_should_not_move_the_others() {
        List<String> ids = subscribers(20);
        Placed newcomer = placed("a"); // sorts before every c…: under sorted chunks, every boundary shifts
        runTwiceAround(newcomer.shard(), () -> {
            subscribe(newcomer.id(), 99);
            assertTrue(shardIds(newcomer.shard()).contains(newcomer.id()), "the newcomer is in the shard run twice");
            notifier.recorded.frames.remove(newcomer.id());
        });
        assertPosts(ids, 1);
        assertTrue(notifier.recorded.to(newcomer.id()).size() <= 1, "the newcomer at most once");
    }

    @Test
    void a_subscriber_leaving_between_two_runs_of_a_shard_task_should_not_move_the_others() {
        List<String> ids = subscribers(20);
        int shard = placed("a").shard();
        String leaver = shardIds(shard).get(0); // the first in sorted order
        runTwiceAround(shard, () -> s.sessions.onMessage(leaver, "{\"type\":\"unsubscribe\",\"topic\":\"" + TOPIC + "\"}",
                Instant.now()));
        List<String> stayed = new ArrayList<>(ids);
        stayed.remove(leaver);
        assertPosts(stayed, 1);
        assertTrue(notifier.recorded.to(leaver).stream().filter(f -> f.contains("raffle_drawn")).count() <= 1, "the leaver at most once");
    }
}
