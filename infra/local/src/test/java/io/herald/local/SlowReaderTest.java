package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading its socket: API Gateway buffers for it, then answers every post
 * 429 (LimitExceeded) while the buffer is full. The local gateway's buffer is the socket's: once a
 * write has waited the whole wait, later posts are refused at once with 429 instead of each waiting
 * again, and the other connections are served meanwhile. A raw socket that never reads, with a
 * small receive window, plays the client.
 */
class SlowReaderTest {
    final HttpClient http = HttpClient.newHttpClient();

    int post(LocalStack s, String connectionId, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(s.httpUrl() + "/ws/@connections/" + java.net.URLEncoder.encode(connectionId,
                java.nio.charset.StandardCharsets.UTF_8))).header("Authorization", CapturingHandler.SIGNED).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    String connectionOf(LocalStack s, String user) throws Exception {
        for (int i = 0; i < 100; i++) {
            var items = s.dynamo().scan(b -> b.tableName("ConnectionsTable")).items().stream()
                    .filter(it -> it.containsKey("userId") && user.equals(it.get("userId").s())).toList();
            if (!items.isEmpty()) return items.get(0).get("connectionId").s();
            Thread.sleep(50);
        }
        throw new AssertionError("no connection of " + user);
    }

    @Test
    void a_client_that_stops_reading_should_get_429s_while_the_others_are_served() throws Exception {
        try (LocalStack s = new LocalStack(LocalOptions.defaults().withPort(0)).start();
                RawSocket stuck = new RawSocket(s.webSocketUrl() + "?token=" + s.token("slow-reader"), Map.of(), 4096);
                WsClient reader = WsClient.connect(s.webSocketUrl() + "?token=" + s.token("reader"))) {
            String slow = connectionOf(s, "slow-reader"), fine = connectionOf(s, "reader");
            String big = "{\"fill\":\"" + "x".repeat(120_000) + "\"}";
            int accepted = 0, status = 200;
            long started = System.nanoTime();
            while (status == 200 && accepted < 400) {
                status = post(s, slow, big);
                if (status == 200) accepted++;
            }
            assertEquals(500, status, "the write that waited the whole wait: not known to be written, retryable");
            assertTrue(accepted > 0, "the buffer took some before it filled");

            long t0 = System.nanoTime();
            assertEquals(429, post(s, slow, "{\"n\":1}"), "full: refused at once");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "without waiting again");
            assertEquals(429, post(s, slow, "{\"n\":2}"));

            assertEquals(200, post(s, fine, "{\"hello\":\"reader\"}"), "the other connections are served");
            assertEquals("reader", reader.next().get("hello").asText());
            assertTrue((System.nanoTime() - started) / 1_000_000_000 < 60);
        }
    }
}
