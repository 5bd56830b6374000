package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend publishing over {@code POST /publish}, each publication with its own id, and
 * retrying anything but a 200 with the same id after a second, as an SQS or EventBridge trigger
 * redelivers (at most {@code attempts} tries). Records which publications were acknowledged.
 */
final class Publisher implements AutoCloseable {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    final String url, token, prefix;
    final int attempts;
    /** seq to the topic of every acknowledged publication. */
    final Map<Long, String> acked = new ConcurrentHashMap<>();
    final Map<Long, String> gaveUp = new ConcurrentHashMap<>();
    /** Answers other than 200, by status (0: no answer). */
    final Map<Integer, AtomicInteger> refusals = new ConcurrentHashMap<>();
    final AtomicInteger duplicates = new AtomicInteger();
    final Semaphore inFlight;
    private final int maxInFlight;

    /** @param maxInFlight publications awaiting their answer at most (a backend's own bound) */
    Publisher(String httpUrl, String token, String prefix, int attempts, int maxInFlight) {
        this.inFlight = new Semaphore(maxInFlight);
        this.maxInFlight = maxInFlight;
        this.url = httpUrl + "/publish";
        this.token = token;
        this.prefix = prefix;
        this.attempts = attempts;
    }

    /** Sends publication {@code seq} to {@code topic}, asynchronously. */
    void publish(long seq, String topic) throws InterruptedException {
        inFlight.acquire();
        send(seq, topic, 1);
    }

    private void send(long seq, String topic, int attempt) {
        var body = Json.object().put("type", "load").put("id", prefix + seq);
        body.putArray("topics").add(topic);
        body.putObject("data").put("seq", seq);
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, err) -> {
            int status = resp == null ? 0 : resp.statusCode();
            if (status == 200) {
                JsonNode result = Json.parse(resp.body());
                if (result.path("duplicate").asBoolean()) duplicates.incrementAndGet();
                acked.put(seq, topic);
                inFlight.release();
                return;
            }
            refusals.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
            if (attempt >= attempts) {
                gaveUp.put(seq, topic);
                inFlight.release();
                return;
            }
            retries.schedule(() -> send(seq, topic, attempt + 1), 1, TimeUnit.SECONDS);
        });
    }

    /** Waits until nothing is in flight, at most {@code seconds}. */
    boolean awaitIdle(int seconds) throws InterruptedException {
        if (!inFlight.tryAcquire(maxInFlight, seconds, TimeUnit.SECONDS)) return false;
        inFlight.release(maxInFlight);
        return true;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
