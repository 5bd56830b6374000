package io.herald.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that queues every frame it receives. */
final class WsClient implements AutoCloseable {
    final WebSocket socket;
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    /** Every frame ever received, in order, whether a test read it, skipped it or never looked. */
    final java.util.List<String> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    final CompletableFuture<int[]> closed = new CompletableFuture<>();
    volatile String closeReason;

    private WsClient(WebSocket socket) {
        this.socket = socket;
    }

    static WsClient connect(String url) throws Exception {
        return connect(url, null);
    }

    /** With request headers (the chat document's {@code Authorization: Bearer}). */
    static WsClient connect(String url, String subprotocol, java.util.Map<String, String> headers) throws Exception {
        String[] flat = headers.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new);
        return connect(url, subprotocol, flat);
    }

    /** @param headers name, value, name, value, ... */
    static WsClient connect(String url, String subprotocol, String... headers) throws Exception {
        return connect(HttpClient.newHttpClient(), url, subprotocol, headers);
    }

    /** Through a given client: thousands of sockets share its one selector thread instead of one each. */
    static WsClient connect(HttpClient http, String url, String subprotocol, String... headers) throws Exception {
        Holder h = new Holder();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (subprotocol != null) b.subprotocols(subprotocol);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            WebSocket ws = b.buildAsync(URI.create(url), h).get(15, TimeUnit.SECONDS);
            return h.client;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** The HTTP status of a refused handshake. */
    static int refusedStatus(String url, String... headers) throws Exception {
        try {
            connect(url, null, headers).close();
            return 101;
        } catch (WebSocketHandshakeException e) {
            return e.getResponse().statusCode();
        }
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    JsonNode next() throws InterruptedException {
        String f = frames.poll(10, TimeUnit.SECONDS);
        if (f == null) throw new AssertionError("no frame within 10 s");
        return Json.parse(f);
    }

    /** The next frame satisfying {@code p}, skipping others. */
    JsonNode next(Predicate<JsonNode> p) throws InterruptedException {
        return next(p, 10);
    }

    /** As above, waiting up to {@code seconds} (a retried fan-out task waits for its backoff). */
    JsonNode next(Predicate<JsonNode> p, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String f = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) break;
            JsonNode n = Json.parse(f);
            if (p.test(n)) return n;
        }
        throw new AssertionError("no matching frame within " + seconds + " s; left: " + frames);
    }

    /** The next message (topics profile) of the publication whose data carries {@code "run": run}. */
    JsonNode nextOfRun(String run, int seconds) throws InterruptedException {
        return next(n -> "message".equals(n.path("type").asText()) && run.equals(n.path("data").path("run").asText()), seconds);
    }

    JsonNode nextOfType(String field, String type) throws InterruptedException {
        return next(n -> type.equals(n.path(field).asText()));
    }

    /** The very next frame, which must be of this type (nothing skipped). */
    JsonNode nextExactly(String field, String type) throws InterruptedException {
        JsonNode n = next();
        if (!type.equals(n.path(field).asText())) throw new AssertionError("expected the next frame to be " + type + ", got " + n);
        return n;
    }

    /**
     * After {@code millis} more of listening, no frame of this type has arrived, ever: skipped
     * frames count too, so a rule like "never to the typist" can fail.
     */
    void neverReceived(String field, String type, long millis) throws InterruptedException {
        Thread.sleep(millis);
        synchronized (received) {
            for (String f : received) {
                if (type.equals(Json.parse(f).path(field).asText())) throw new AssertionError("received " + type + ": " + f);
            }
        }
    }

    /** Nothing arrives for a while. */
    String quiet(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    int awaitClose() throws Exception {
        return closed.get(15, TimeUnit.SECONDS)[0];
    }

    /** Drops the TCP connection without a close frame. */
    void vanish() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }

    private static final class Holder implements WebSocket.Listener {
        WsClient client;
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            client = new WsClient(webSocket);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                client.received.add(partial.toString());
                client.frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.closeReason = reason;
            client.closed.complete(new int[] {statusCode});
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (client != null) client.closed.complete(new int[] {1006});
        }
    }
}
