package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Many real WebSocket clients (the JDK's), opened at a bounded rate, each subscribed to one topic.
 * Every received publication's receipt time is recorded under its {@code data.seq}.
 */
final class Clients implements AutoCloseable {
    final HttpClient http = HttpClient.newHttpClient();
    final List<WebSocket> sockets = new ArrayList<>();
    /** seq to receipt times (System.nanoTime) of every client that got it. */
    final Map<Long, ConcurrentLinkedQueue<Long>> receipts = new ConcurrentHashMap<>();

    /** Opens {@code n} clients, at most {@code perSecond} new ones a second, each subscribed to topicOf(i). */
    void open(String wsUrl, String token, int n, int perSecond, java.util.function.IntFunction<String> topicOf)
            throws InterruptedException {
        CountDownLatch subscribed = new CountDownLatch(n);
        Semaphore inFlight = new Semaphore(64);
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            while (System.nanoTime() < next) Thread.onSpinWait();
            next += interval;
            inFlight.acquire();
            String topic = topicOf.apply(i);
            CompletableFuture<WebSocket> f = http.newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(60))
                    .buildAsync(URI.create(wsUrl + "?token=" + token), new Listener(subscribed))
                    .whenComplete((ws, err) -> {
                        inFlight.release();
                        if (ws != null) ws.sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}", true);
                    });
            pending.add(f);
        }
        int retried = 0;
        for (int i = 0; i < pending.size(); i++) {
            try {
                sockets.add(pending.get(i).get(90, TimeUnit.SECONDS));
            } catch (Exception e) {
                // a handshake that timed out under the connection storm gets one more try, alone
                if (++retried > n / 100 + 5) throw new IllegalStateException("too many clients failed to connect: " + e, e);
                String topic = topicOf.apply(i);
                try {
                    WebSocket ws = http.newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(60))
                            .buildAsync(URI.create(wsUrl + "?token=" + token), new Listener(subscribed)).get(90, TimeUnit.SECONDS);
                    ws.sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}", true);
                    sockets.add(ws);
                } catch (Exception again) {
                    throw new IllegalStateException("a client failed to connect twice: " + again, again);
                }
            }
        }
        if (retried > 0) System.err.println(retried + " of " + n + " handshakes were retried");
        if (!subscribed.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + (n - subscribed.getCount()) + " of " + n + " clients subscribed");
        }
    }

    private final class Listener extends JsonFrames {
        private final CountDownLatch subscribed;

        Listener(CountDownLatch subscribed) {
            this.subscribed = subscribed;
        }

        @Override
        void onMessage(WebSocket ws, JsonNode m, long now) {
            String type = m.path("type").asText();
            if (type.equals("subscribed")) subscribed.countDown();
            else if (type.equals("message")) {
                receipts.computeIfAbsent(m.path("data").path("seq").asLong(), k -> new ConcurrentLinkedQueue<>()).add(now);
            }
        }
    }

    @Override
    public void close() {
        for (WebSocket ws : sockets) ws.abort();
        sockets.clear();
    }
}
