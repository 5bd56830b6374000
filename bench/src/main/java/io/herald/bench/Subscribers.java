package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Real WebSocket clients (the JDK's) for the reliability benchmarks: client {@code i} subscribes
 * to {@code topicOf(i)}; which clients had their subscription acknowledged, and every publication
 * each received (by {@code data.seq}), are recorded, so a run can count what was lost or repeated.
 */
final class Subscribers implements AutoCloseable {
    final HttpClient http = HttpClient.newHttpClient();
    final List<WebSocket> sockets = new CopyOnWriteArrayList<>();
    /** Clients whose subscribe was answered {@code subscribed}. */
    final Set<Integer> subscribed = ConcurrentHashMap.newKeySet();
    /** (seq, client) to the number of times that client received that publication. */
    final Map<Long, AtomicInteger> received = new ConcurrentHashMap<>();
    final AtomicInteger failedHandshakes = new AtomicInteger();
    private final Semaphore inFlight = new Semaphore(64);

    static long pair(long seq, int client) {
        return seq * 1_000_000L + client;
    }

    int times(long seq, int client) {
        AtomicInteger n = received.get(pair(seq, client));
        return n == null ? 0 : n.get();
    }

    /** Opens clients {@code from} to {@code to - 1}, at most {@code perSecond} handshakes a second; returns without waiting for the last ones. */
    void open(String url, int from, int to, int perSecond, IntFunction<String> topicOf, java.util.function.BooleanSupplier keepGoing)
            throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond, next = System.nanoTime();
        for (int i = from; i < to && keepGoing.getAsBoolean(); i++) {
            while (System.nanoTime() < next) Thread.onSpinWait();
            next += interval;
            if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("handshakes stalled");
            int client = i;
            String topic = topicOf.apply(i);
            CompletableFuture<WebSocket> f = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60))
                    .buildAsync(URI.create(url), new Listener(client));
            f.whenComplete((ws, err) -> {
                inFlight.release();
                if (ws == null) {
                    failedHandshakes.incrementAndGet();
                    return;
                }
                sockets.add(ws);
                ws.sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}", true);
            });
        }
    }

    /** Waits until {@code n} subscriptions were acknowledged or {@code seconds} passed; returns how many were. */
    int awaitSubscribed(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (subscribed.size() < n && System.nanoTime() < deadline) Thread.sleep(200);
        return subscribed.size();
    }

    private final class Listener extends JsonFrames {
        private final int client;

        Listener(int client) {
            this.client = client;
        }

        @Override
        void onMessage(WebSocket ws, JsonNode m, long receivedNanos) {
            String type = m.path("type").asText();
            if (type.equals("subscribed")) subscribed.add(client);
            else if (type.equals("message")) {
                received.computeIfAbsent(pair(m.path("data").path("seq").asLong(), client), k -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        for (WebSocket ws : sockets) ws.abort();
        sockets.clear();
    }
}
