package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * More publications at once than the gateway has HTTP threads, each waiting for a post that those
 * threads serve (the Management API). With the invocations on the HTTP threads, 200 of them held
 * every thread and their posts timed out (issue 11's load run; with 400 here, a post was retried
 * three times and failed); on AWS a publication never holds what its own posts need, and here it
 * no longer does either.
 */
class HttpApiConcurrencyTest {
    @Test
    void publicationsWaitingForTheirOwnPostsBeyondTheServersThreadsAreAllDelivered() throws Exception {
        try (LocalStack stack = new LocalStack(LocalOptions.defaults().withPort(0)).start();
                WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("ann"))) {
            c.send("{\"type\":\"subscribe\",\"topic\":\"load.one\"}");
            assertEquals("subscribed", c.next().get("type").asText());

            int n = 250; // the gateway serves HTTP on 200 threads; more would only queue longer on the one socket
            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/publish"))
                        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + stack.demoToken())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"load\",\"topics\":[\"load.one\"],\"data\":{\"i\":" + i + "}}"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get(90, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(1, Json.parse(r.body()).path("delivered").asInt(), r.body());
            }
            Set<Integer> got = new HashSet<>();
            while (got.size() < n) {
                JsonNode m = c.next(f -> "message".equals(f.path("type").asText()), 30);
                assertEquals(true, got.add(m.path("data").path("i").asInt()), "delivered twice: " + m);
            }
            assertEquals(null, c.quiet(1_000), "a frame after all " + n + " publications arrived");
        }
    }
}
