package io.herald.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server speaking the Management API's wire format (POST/DELETE /{stage}/@connections/{id})
 * that answers 200, 410 or 429 per connection on demand and records what it received. Used to test
 * the real SDK client and the notifier adapter against each status.
 */
public final class RecordingManagementApi implements AutoCloseable {
    private final HttpServer server;
    public final Map<String, List<String>> received = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, Integer> goneIds = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> throttles = new ConcurrentHashMap<>();
    public final List<String> deleted = Collections.synchronizedList(new ArrayList<>());

    public RecordingManagementApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-mgmt-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint to give the SDK client: http://127.0.0.1:port/ws */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ws";
    }

    public void markGone(String connectionId) {
        goneIds.put(connectionId, 410);
    }

    /** The next {@code times} posts to the connection answer 429. */
    public void throttle(String connectionId, int times) {
        throttles.put(connectionId, new AtomicInteger(times));
    }

    public List<String> to(String connectionId) {
        return received.getOrDefault(connectionId, List.of());
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        String prefix = "/ws/@connections/";
        if (!path.startsWith(prefix)) {
            reply(x, 404, null, "{\"message\":\"Not Found\"}");
            return;
        }
        String id = URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
        byte[] body = x.getRequestBody().readAllBytes();
        attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (goneIds.containsKey(id)) {
            reply(x, 410, "GoneException", "{\"message\":null}");
            return;
        }
        if (x.getRequestMethod().equals("DELETE")) {
            deleted.add(id);
            reply(x, 204, null, null);
            return;
        }
        AtomicInteger t = throttles.get(id);
        if (t != null && t.getAndDecrement() > 0) {
            reply(x, 429, "LimitExceededException", "{\"message\":\"Too Many Requests\"}");
            return;
        }
        received.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new String(body, StandardCharsets.UTF_8));
        reply(x, 200, null, null);
    }

    private static void reply(HttpExchange x, int status, String errorType, String body) throws IOException {
        if (errorType != null) x.getResponseHeaders().add("x-amzn-ErrorType", errorType);
        x.getResponseHeaders().add("Content-Type", "application/json");
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
