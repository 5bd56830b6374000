package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 16's local measure: one publication to a topic with 5,000 real WebSocket subscribers and
 * {@code --param InlineFanOutLimit=500} reaches every client exactly once through the template's
 * fan-out queue and FanOutFunction. About a minute on two shared cores, so not part of every
 * {@code mvn verify}; run it with
 *
 * <pre>mvn -B -o verify -pl infra/local -am -Dherald.scale=true -Dit.test=TreeFanOutScaleIT \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.failIfNoSpecifiedTests=false</pre>
 *
 * ({@code -Dherald.scale.clients=N} for another size). Each client is two sockets in this JVM
 * (its own end and the local gateway's), so 5,000 clients need {@code ulimit -n} above about
 * 10,500. Result: docs/tree-fanout-benchmark.md.
 */
@EnabledIfSystemProperty(named = "herald.scale", matches = "true")
class TreeFanOutScaleIT {
    static final String TOPIC = "raffles.scale";

    @Test
    void a_publication_to_5000_subscribers_should_reach_every_client_exactly_once_through_the_tree() throws Exception {
        int n = Integer.getInteger("herald.scale.clients", 5000);
        HttpClient shared = HttpClient.newHttpClient();
        List<WsClient> clients = new ArrayList<>(n);
        try (LocalStack stack = new LocalStack(LocalOptions.defaults().withPort(0)
                .withParameter("InlineFanOutLimit", "500").withParameter("MaxConnectionsPerIp", "0")).start()) {
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<WsClient>> connecting = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String url = stack.webSocketUrl() + "?token=" + stack.token("scale-" + i);
                    connecting.add(pool.submit(() -> {
                        WsClient c = WsClient.connect(shared, url, null);
                        c.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
                        c.nextOfType("type", "subscribed");
                        return c;
                    }));
                }
                for (Future<WsClient> f : connecting) clients.add(f.get(120, TimeUnit.SECONDS));
            } finally {
                pool.shutdown();
            }
            double connectSeconds = (System.nanoTime() - t0) / 1e9;

            TreeFanOutTest.PostCounter posts = new TreeFanOutTest.PostCounter(id -> 0);
            stack.managementFaults(posts);
            long t1 = System.nanoTime();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/publish"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + stack.demoToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"scale-1\",\"type\":\"raffle_drawn\",\"topics\":[\""
                            + TOPIC + "\"],\"data\":{\"run\":\"scale-1\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(Json.parse(r.body()).path("tasks").asInt() > 0, "a tree, not inline: " + r.body());

            for (WsClient c : clients) {
                JsonNode m = c.nextOfRun("scale-1", 60);
                assertEquals(TOPIC, m.get("topic").asText());
            }
            double deliverSeconds = (System.nanoTime() - t1) / 1e9;
            Thread.sleep(2000); // time for a duplicate to show up, had a retry posted one
            for (WsClient c : clients) {
                String extra;
                while ((extra = c.frames.poll()) != null) assertTrue(!extra.contains("scale-1"), "a second delivery: " + extra);
            }
            assertEquals(n, posts.total.get(), "one post per connection");
            assertEquals(n, posts.perConnection.size());
            assertEquals(0, stack.sqsErrors());
            JsonNode worker = LocalMetricsTest.metrics(stack).at("/functions/FanOutFunction");
            assertTrue(worker.path("invocations").asLong() >= 2, worker.toString());
            assertEquals(0, worker.path("errors").asLong(), worker.toString());
            System.out.printf("TreeFanOutScaleIT: %,d clients connected and subscribed in %.1f s; publish to the last of them %.1f s;"
                    + " FanOutFunction %s; ulimit -n needed above about %,d%n", n, connectSeconds, deliverSeconds, worker,
                    2 * n + 500);
        } finally {
            clients.forEach(WsClient::close);
        }
    }
}
