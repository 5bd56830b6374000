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
        JsonNode r = publish("tree-once");
        assertEquals(3, r.get("tasks").asInt(), "one task per subscription shard: " + r);
        assertEquals(0, r.get("delivered").asInt(), "the publisher posts nothing itself: " + r);

        assertEveryClientGetsExactlyOne("tree-once");
        assertEquals(CLIENTS, posts.total.get(), "one post per connection");
        assertEquals(0, stack.sqsErrors());
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
     * Data holding a character SQS refuses in a message body (U+FFFF): the shard tasks carry it
     * escaped, so SQS takes them (it used to answer InvalidMessageContents, and the publication
     * was refused), and every client receives the character as published.
     */
    @Test
    void data_holding_characters_sqs_refuses_should_still_reach_every_client_once() throws Exception {
        PostCounter posts = new PostCounter(id -> 0);
        stack.managementFaults(posts);
        JsonNode r = publish("tree-uffff", ",\"x\":\"\\uFFFF\",\"y\":\"\\uFFFE\"");
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
        Thread.sleep(1500); // time for a duplicate to show up, had a retry posted one
        for (WsClient c : clients) {
            String extra;
            while ((extra = c.frames.poll()) != null) {
                assertTrue(!extra.contains(id), "a second delivery: " + extra);
            }
        }
        return got;
    }

    /** The client's next message of this publication, within 30 s (a retried task waits for its backoff). */
    private static JsonNode next(WsClient c, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String f = c.frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) break;
            JsonNode n = Json.parse(f);
            if ("message".equals(n.path("type").asText()) && id.equals(n.path("data").path("run").asText())) return n;
        }
        throw new AssertionError("no message of " + id + " within 30 s");
    }

    private static JsonNode publish(String run) throws Exception {
        return publish(run, "");
    }

    /** Publishes {@code data: {"run": run <moreData>}}, moreData being JSON text of further fields. */
    private static JsonNode publish(String run, String moreData) throws Exception {
        String body = "{\"id\":\"" + run + "\",\"type\":\"raffle_drawn\",\"topics\":[\"" + TOPIC + "\"],\"data\":{\"run\":\"" + run
                + "\"" + moreData + "}}";
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
