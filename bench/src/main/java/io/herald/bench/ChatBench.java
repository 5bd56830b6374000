package io.herald.bench;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.aws.config.JwtSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat (issue 13): {@code message:send} → {@code message:new} at the recipient at a fixed rate
 * across 1:1 conversations, every member a real WebSocket client speaking the chat profile, the
 * recipients in the room; and the DynamoDB units per message, as the stack's engine counted them.
 */
final class ChatBench implements AutoCloseable {
    static final int CONVERSATIONS = 500;
    static final int RATE = 50;
    static final int SECONDS = 40;

    private final StackProcess stack;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final Algorithm signer = Algorithm.HMAC256(JwtSecrets.DEVELOPMENT_SECRET);
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    /** seq to receipt time (System.nanoTime) of message:new at the recipient. */
    final Map<Long, Long> received = new ConcurrentHashMap<>();
    final AtomicLong refused = new AtomicLong();

    ChatBench(StackProcess stack) {
        this.stack = stack;
    }

    record Result(List<Double> sortedMs, long sent, Map<String, double[]> unitsPerTable, long refused) {}

    /** @param units reads the stack's {read, write} units per table so far (GET /local/metrics) */
    Result run(java.util.concurrent.Callable<Map<String, double[]>> units) throws Exception {
        declareConversations();
        List<WebSocket> senders = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(CONVERSATIONS * 2);
        // recipients first (each joins its room), then the senders, at 100 handshakes a second
        List<CompletableFuture<WebSocket>> recipients = new ArrayList<>(), opening = new ArrayList<>();
        for (int i = 0; i < CONVERSATIONS; i++) recipients.add(open(user("r", i), conversation(i), ready));
        for (int i = 0; i < CONVERSATIONS; i++) opening.add(open(user("s", i), null, ready));
        for (CompletableFuture<WebSocket> f : opening) senders.add(f.get(60, TimeUnit.SECONDS));
        for (CompletableFuture<WebSocket> f : recipients) f.get(60, TimeUnit.SECONDS);
        if (!ready.await(120, TimeUnit.SECONDS)) throw new IllegalStateException(ready.getCount() + " clients never became ready");
        stack.awaitQuiet(); // the connections' stream work (welcome, user:online) is done before the units are read

        Map<String, double[]> before = units.call();
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        ScheduledExecutorService tick = Executors.newSingleThreadScheduledExecutor();
        AtomicLong seq = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        tick.scheduleAtFixedRate(() -> {
            long n = seq.incrementAndGet();
            if (n > (long) RATE * SECONDS) {
                done.countDown();
                return;
            }
            int k = (int) (n % CONVERSATIONS);
            String frame = "{\"event\":\"message:send\",\"data\":{\"conversation_id\":\"" + conversation(k)
                    + "\",\"content\":\"bench " + n + "\",\"type\":\"text\",\"metadata\":{}}}";
            sentAt.put(n, System.nanoTime());
            synchronized (senders.get(k)) {
                senders.get(k).sendText(frame, true).join();
            }
        }, 0, 1_000_000 / RATE, TimeUnit.MICROSECONDS);
        done.await();
        tick.shutdownNow();
        long deadline = System.currentTimeMillis() + 15_000; // stragglers
        while (received.size() < sentAt.size() && System.currentTimeMillis() < deadline) Thread.sleep(50);
        stack.awaitQuiet();
        Map<String, double[]> after = units.call();

        List<Double> ms = new ArrayList<>();
        sentAt.forEach((n, t0) -> {
            Long t = received.get(n);
            if (t != null) ms.add((t - t0) / 1e6);
        });
        Collections.sort(ms);
        Map<String, double[]> perMessage = new TreeMap<>();
        after.forEach((table, a) -> {
            double[] b = before.getOrDefault(table, new double[2]);
            perMessage.put(table, new double[] {(a[0] - b[0]) / sentAt.size(), (a[1] - b[1]) / sentAt.size()});
        });
        return new Result(ms, sentAt.size(), perMessage, refused.get());
    }

    private String user(String role, int i) {
        return "bench-" + run + "-" + role + i;
    }

    private String conversation(int i) {
        return "bench-" + run + "-k" + i;
    }

    private String token(String user) {
        return JWT.create().withSubject(user).withClaim("username", user).withExpiresAt(Instant.now().plus(Duration.ofHours(1))).sign(signer);
    }

    private void declareConversations() throws Exception {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
        for (int i = 0; i < CONVERSATIONS; i++) {
            inFlight.acquire();
            String body = "{\"members\":[\"" + user("s", i) + "\",\"" + user("r", i) + "\"]}";
            puts.add(http.sendAsync(HttpRequest.newBuilder(URI.create(stack.httpUrl + "/conversations/" + conversation(i)))
                    .header("Authorization", "Bearer " + stack.token).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<String>> p : puts) {
            HttpResponse<String> r = p.get(60, TimeUnit.SECONDS);
            if (r.statusCode() != 200) throw new IllegalStateException("PUT /conversations answered " + r.statusCode() + ": " + r.body());
        }
    }

    private long nextHandshake = System.nanoTime();

    /** A chat client; ready once established (and, with a room, joined). */
    private CompletableFuture<WebSocket> open(String user, String room, CountDownLatch ready) {
        while (System.nanoTime() < nextHandshake) Thread.onSpinWait();
        nextHandshake = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(60))
                .buildAsync(URI.create(stack.wsUrl + "?protocol=chat&token=" + token(user)), new Listener(room, ready))
                .whenComplete((ws, e) -> {
                    if (ws != null) sockets.add(ws);
                });
    }

    private final class Listener extends JsonFrames {
        private final String room;
        private final CountDownLatch ready;

        Listener(String room, CountDownLatch ready) {
            this.room = room;
            this.ready = ready;
        }

        @Override
        void onMessage(WebSocket ws, JsonNode m, long now) {
            switch (m.path("event").asText()) {
                case "connection:established" -> {
                    if (room == null) ready.countDown();
                    else ws.sendText("{\"event\":\"conversation:join\",\"data\":{\"conversation_id\":\"" + room + "\"}}", true);
                }
                case "conversation:joined" -> ready.countDown();
                case "message:new" -> {
                    if (room != null) { // the recipient's copy; the sender's is its acknowledgement
                        String content = m.path("data").path("message").path("content").asText();
                        received.putIfAbsent(Long.parseLong(content.substring("bench ".length())), now);
                    }
                }
                case "error" -> {
                    refused.incrementAndGet();
                    System.err.println("chat error: " + m);
                }
                default -> { }
            }
        }
    }

    @Override
    public void close() {
        synchronized (sockets) {
            for (WebSocket ws : sockets) ws.abort();
        }
    }
}
