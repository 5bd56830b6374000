package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.local.gateway.LocalConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a topic above InlineFanOutLimit fans out as a tree through the template's fan-out
 * queue and FanOutFunction, on the local SQS emulation and its event source mapping, to real
 * WebSocket clients. The subscriber count is sized for `mvn verify`; the at-scale figures come
 * from the benchmark.
 */
class TreeFanOutTest {
    static final int CLIENTS = 240;
    static final String TOPIC = "raffles.tree";
    static LocalStack stack;
    static final List<WsClient> clients = new ArrayList<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(LocalOptions.defaults().withPort(0)
                .withParameter("InlineFanOutLimit", "30").withParameter("FanOutBatchSize", "25")
                .withParameter("SubscriptionShards", "3").withParameter("MaxConnectionsPerIp", "0")).start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<WsClient>> connecting = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String user = "tree-" + i;
                connecting.add(pool.submit(() -> {
                    WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token(user));
                    c.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
                    c.nextOfType("type", "subscribed");
                    return c;
                }));
            }
            for (Future<WsClient> f : connecting) clients.add(f.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdown();
        }
    }

    @AfterAll
    static void stop() {
        clients.forEach(WsClient::close);
        if (stack != null) stack.close();
    }

    @AfterEach
    void noFaults() {
        stack.managementFaults(null);
    }

    @Test
    void a_topic_above_the_inline_limit_should_reach_every_client_exactly_once_through_the_workers() throws Exception {
        PostCounter posts = new PostCounter(id -> 0);
        stack.managementFaults(posts);
        JsonNode before = LocalMetricsTest.metrics(stack);
        JsonNode r = publish("tree-once");
        assertEquals(3, r.get("tasks").asInt(), "one task per subscription shard: " + r);
        assertEquals(0, r.get("delivered").asInt(), "the publisher posts nothing itself: " + r);

        assertEveryClientGetsExactlyOne("tree-once");
        assertEquals(CLIENTS, posts.total.get(), "one post per connection");
        assertEquals(0, stack.sqsErrors());

        // what CloudWatch would show: the workers' invocations, every task they were sent consumed
        LocalStackEndToEndTest.waitUntil(() -> {
            JsonNode q = LocalMetricsTest.metrics(stack).at("/queues/FanOutQueue");
            return q.get("deleted").asLong() == q.get("sent").asLong();
        });
        JsonNode after = LocalMetricsTest.metrics(stack);
        long tasks = delta(before, after, "/queues/FanOutQueue/sent");
        // 3 shard tasks, and batches of at most 25: at least ceil(240 / 25) of them
        assertTrue(tasks >= 3 + (CLIENTS + 24) / 25, tasks + " tasks");
        long invocations = delta(before, after, "/functions/FanOutFunction/invocations");
        // the template's BatchSize is 3, and a shard's batches are sent by the invocation that read it
        assertTrue(invocations >= Math.max(2, (tasks + 2) / 3), invocations + " FanOutFunction invocations for " + tasks + " tasks");
        assertEquals(0, delta(before, after, "/functions/FanOutFunction/errors"));
        assertEquals(0, delta(before, after, "/functions/HttpApiFunction/errors"));
    }

    /**
     * A client's own publish frame to a large topic goes through the tree too (the template gives
     * MessageFunction the fan-out queue): inline, a topic of tens of thousands would outlast the
     * function's timeout, and a publication without an id has no retry behind it.
     */
    @Test
    void a_client_publishing_to_a_large_topic_should_hand_it_to_the_tree() throws Exception {
        String channel = "messages.channel.tree-" + System.nanoTime();
        for (WsClient c : clients) c.send("{\"type\":\"subscribe\",\"topic\":\"" + channel + "\"}");
        for (WsClient c : clients) c.next(n -> "subscribed".equals(n.path("type").asText()) && channel.equals(n.path("topic").asText()), 30);
        JsonNode before = LocalMetricsTest.metrics(stack);
        clients.get(0).send("{\"type\":\"message\",\"topic\":\"" + channel + "\",\"data\":{\"run\":\"from-a-client\"}}");
        for (WsClient c : clients) next(c, "from-a-client");
        JsonNode after = LocalMetricsTest.metrics(stack);
        assertTrue(delta(before, after, "/queues/FanOutQueue/sent") >= 3, "tasks handed to the tree: " + after.at("/queues/FanOutQueue"));
        assertEquals(0, delta(before, after, "/functions/MessageFunction/errors"));
        assertNoSecondDelivery(clients, "from-a-client");
    }

    private static long delta(JsonNode before, JsonNode after, String path) {
        assertTrue(after.at(path).isNumber(), path + " in " + after);
        return after.at(path).asLong() - before.at(path).asLong(0);
    }

    /**
     * Some connections fail with 500 longer than the worker's retries last, so their batch task
     * fails mid-batch and returns (ReportBatchItemFailures, after the worker's backoff); others
     * are throttled (429) once. The retry posts only to the connections the batch had not reached.
     */
    @Test
    void a_batch_failing_mid_way_should_be_retried_for_its_failed_connections_only() throws Exception {
        List<String> ids = new ArrayList<>();
        for (LocalConnection c : stack.gateway().open()) ids.add(c.id());
        Set<String> failing = new HashSet<>(ids.subList(0, 6));
        Set<String> throttled = new HashSet<>(ids.subList(6, 40));
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        PostCounter posts = new PostCounter(id -> {
            int n = seen.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet();
            if (failing.contains(id)) return n <= 5 ? 500 : 0; // the worker tries 4 times per task attempt
            if (throttled.contains(id)) return n == 1 ? 429 : 0;
            return 0;
        });
        stack.managementFaults(posts);
        publish("tree-faults");

        assertEveryClientGetsExactlyOne("tree-faults");
        for (String id : ids) {
            int expected = failing.contains(id) ? 6 : throttled.contains(id) ? 2 : 1;
            assertEquals(expected, posts.of(id), "posts to " + (failing.contains(id) ? "a failing " : throttled.contains(id)
                    ? "a throttled " : "a healthy ") + "connection");
        }
        assertEquals(0, stack.sqsErrors(), "failures are reported per task, not as function errors");
    }

    /**
     * A publication whose frames together pass SQS's 256 KB: 100 KB of data on three topics, each
     * with subscribers, so three frames of about 100 KB. A batch task carries one frame and a shard
     * task the publication, each below 256 KB whatever the publication (TreeFanOutServiceTest pins
     * the bound), so nothing needs storing by reference.
     */
    @Test
    void a_publication_whose_frames_pass_256_KB_should_reach_every_client_exactly_once() throws Exception {
        List<WsClient> others = new ArrayList<>();
        List<String> topics = List.of(TOPIC, TOPIC + "2", TOPIC + "3");
        try {
            for (String topic : topics.subList(1, 3)) {
                for (int i = 0; i < 10; i++) {
                    WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("big-" + topic + i));
                    others.add(c);
                    c.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
                    c.nextOfType("type", "subscribed");
                }
            }
            PostCounter posts = new PostCounter(id -> 0);
            stack.managementFaults(posts);
            String pad = "p".repeat(100_000);
            JsonNode r = publish("tree-big", topics, data -> data.put("pad", pad));
            assertEquals(3, r.get("tasks").asInt(), r.toString());

            List<WsClient> everyone = new ArrayList<>(clients);
            everyone.addAll(others);
            Map<String, Integer> frameBytes = new ConcurrentHashMap<>();
            for (WsClient c : everyone) {
                JsonNode m = next(c, "tree-big");
                assertEquals(pad, m.path("data").path("pad").asText(), "the data arrives whole");
                frameBytes.put(m.get("topic").asText(), Json.write(m).length());
            }
            assertEquals(Set.copyOf(topics), frameBytes.keySet(), "one encoding per topic");
            int total = frameBytes.values().stream().mapToInt(Integer::intValue).sum();
            assertTrue(total > 256 * 1024, "the frames together: " + total + " bytes");
            assertNoSecondDelivery(everyone, "tree-big");
            assertEquals(everyone.size(), posts.total.get(), "one post per connection");
            assertEquals(0, stack.sqsErrors());
        } finally {
            others.forEach(WsClient::close);
            // the other tests count posts to every open connection
            LocalStackEndToEndTest.waitUntil(() -> stack.gateway().open().size() == CLIENTS);
        }
    }

    /**
     * Data holding a character SQS refuses in a message body (U+FFFF): the shard tasks carry it
     * escaped, so SQS takes them (it used to answer InvalidMessageContents, and the publication
     * was refused), and every client receives the character as published.
     */
    @Test
    void data_holding_characters_sqs_refuses_should_still_reach_every_client_once() throws Exception {
        PostCounter posts = new PostCounter(id -> 0);
        stack.managementFaults(posts);
        JsonNode r = publish("tree-uffff", List.of(TOPIC), data -> data.put("x", "\uFFFF").put("y", "\uFFFE"));
        assertEquals(3, r.get("tasks").asInt(), r.toString());

        List<JsonNode> got = assertEveryClientGetsExactlyOne("tree-uffff");
        for (JsonNode m : got) {
            assertEquals("\uFFFF", m.path("data").path("x").asText());
            assertEquals("\uFFFE", m.path("data").path("y").asText());
        }
        assertEquals(CLIENTS, posts.total.get(), "one post per connection");
        assertEquals(0, stack.sqsErrors());
    }

    private List<JsonNode> assertEveryClientGetsExactlyOne(String id) throws Exception {
        List<JsonNode> got = new ArrayList<>();
        for (WsClient c : clients) {
            JsonNode m = next(c, id);
            assertEquals("raffle_drawn", m.get("eventType").asText());
            got.add(m);
        }
        assertNoSecondDelivery(clients, id);
        return got;
    }

    private static void assertNoSecondDelivery(List<WsClient> clients, String id) throws InterruptedException {
        Thread.sleep(1500); // time for a duplicate to show up, had a retry posted one
        for (WsClient c : clients) {
            String extra;
            while ((extra = c.frames.poll()) != null) {
                assertTrue(!extra.contains(id), "a second delivery: " + extra);
            }
        }
    }

    /** The client's next message of this publication, within 30 s (a retried task waits for its backoff). */
    private static JsonNode next(WsClient c, String id) throws InterruptedException {
        return c.nextOfRun(id, 30);
    }

    private static JsonNode publish(String run) throws Exception {
        return publish(run, List.of(TOPIC), data -> { });
    }

    /** Publishes to {@code topics} with {@code data: {"run": run, ...}}, the rest added by {@code more}. */
    private static JsonNode publish(String run, List<String> topics,
            java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> more) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode p = Json.object().put("id", run).put("type", "raffle_drawn");
        topics.forEach(p.putArray("topics")::add);
        more.accept(p.putObject("data").put("run", run));
        String body = Json.write(p);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/publish"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + stack.demoToken())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode result = Json.parse(r.body());
        assertNull(result.get("error"), r.body());
        return result;
    }

    /** Counts PostToConnection calls per connection, answering with the given faults. */
    static final class PostCounter implements io.herald.local.gateway.ManagementApi.Faults {
        final Map<String, AtomicInteger> perConnection = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        private final io.herald.local.gateway.ManagementApi.Faults faults;

        PostCounter(io.herald.local.gateway.ManagementApi.Faults faults) {
            this.faults = faults;
        }

        @Override
        public int statusFor(String connectionId) {
            total.incrementAndGet();
            perConnection.computeIfAbsent(connectionId, x -> new AtomicInteger()).incrementAndGet();
            return faults.statusFor(connectionId);
        }

        int of(String id) {
            AtomicInteger n = perConnection.get(id);
            return n == null ? 0 : n.get();
        }
    }
}
