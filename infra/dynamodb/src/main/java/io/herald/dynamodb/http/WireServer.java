package io.herald.dynamodb.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.api.Api;
import io.herald.dynamodb.model.JsonTrees;
import io.herald.dynamodb.model.AttributeValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * DynamoDB's JSON 1.0 protocol over HTTP: {@code POST /} with {@code X-Amz-Target}, answers in
 * {@code application/x-amz-json-1.0} with AWS's error shape. Credentials and signatures are
 * accepted without checking. The JDK's own HTTP server: no dependency, starts in milliseconds.
 */
public final class WireServer implements AutoCloseable {
    /** DynamoDB refuses request bodies over 16 MB. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private final Api api;
    private final HttpServer server;
    private final ExecutorService pool;

    public WireServer(Api api, String host, int port, int threads) throws IOException {
        // The JDK server writes headers and body separately; with Nagle on, a keep-alive client's
        // delayed ACK then stalls every response by ~40 ms. Read once, when the server class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
        // A client that stalls mid-request holds a worker thread; these bound how long (seconds).
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) System.setProperty("sun.net.httpserver.maxReqTime", "10");
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) System.setProperty("sun.net.httpserver.maxRspTime", "30");
        this.api = api;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 256);
        AtomicInteger n = new AtomicInteger();
        // Threads appear as requests need them and go after 30 s idle: an idle engine holds few, and a
        // handful of stalled clients cannot take every worker.
        java.util.concurrent.ThreadPoolExecutor workers = new java.util.concurrent.ThreadPoolExecutor(threads, threads, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dynamodb-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
        this.pool = workers;
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestMethod().equals("GET")) {
                send(ex, 200, ("healthy: dynamodb." + api.database().region() + ".amazonaws.com ").getBytes(StandardCharsets.UTF_8), "text/plain");
                return;
            }
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 405, error("UnknownOperationException", "Method " + ex.getRequestMethod() + " is not supported; DynamoDB takes POST /"), null);
                return;
            }
            byte[] body = readBody(ex.getRequestBody());
            if (body == null) {
                ex.getResponseHeaders().set("Connection", "close"); // the rest of the body is never read
                send(ex, 413, error("RequestEntityTooLarge", "Request body exceeds the limit of " + MAX_BODY + " bytes"), null);
                return;
            }
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] out;
            int status = 200;
            try {
                JsonNode req;
                try {
                    req = JsonTrees.read(body);
                } catch (IOException e) {
                    throw new DynamoDbError("SerializationException", "Malformed JSON request body");
                }
                if (req == null) req = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                out = JsonTrees.bytes(api.call(target, req));
            } catch (DynamoDbError e) {
                status = e.status();
                out = errorBody(e);
            } catch (RuntimeException | StackOverflowError e) {
                status = 500;
                System.err.println("[herald-dynamodb] internal error on " + target + ": " + e);
                out = error("InternalServerError", "Internal server error");
            }
            send(ex, status, out, null);
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] all = in.readNBytes(MAX_BODY + 1);
        return all.length > MAX_BODY ? null : all;
    }

    private static String typePrefix(String type) {
        return switch (type) {
            case "SerializationException", "UnknownOperationException", "AccessDeniedException", "RequestEntityTooLarge" -> "com.amazon.coral.service#";
            default -> "com.amazonaws.dynamodb.v20120810#";
        };
    }

    private static byte[] error(String type, String message) {
        return errorBody(new DynamoDbError(type, message));
    }

    private static byte[] errorBody(DynamoDbError e) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        o.put("__type", typePrefix(e.type()) + e.type());
        if (e.getMessage() != null) o.put("message", e.getMessage());
        if (e.item() != null) o.set("Item", item(e.item()));
        if (e.reasons() != null) {
            ArrayNode a = o.putArray("CancellationReasons");
            for (DynamoDbError.CancellationReason r : e.reasons()) {
                ObjectNode x = a.addObject().put("Code", r.code());
                if (r.message() != null) x.put("Message", r.message());
                if (r.item() != null) x.set("Item", item(r.item()));
            }
        }
        return JsonTrees.bytes(o);
    }

    private static JsonNode item(Map<String, AttributeValue> item) {
        return io.herald.dynamodb.model.AttributeJson.node(item);
    }

    private static final java.util.concurrent.atomic.AtomicLong REQUESTS = new java.util.concurrent.atomic.AtomicLong();
    private static final String INSTANCE = Long.toHexString(System.nanoTime() ^ ProcessHandle.current().pid());

    /** Unique per answer without SecureRandom, whose lock all request threads would share. */
    private static String requestId() {
        return INSTANCE + "-" + Long.toHexString(REQUESTS.incrementAndGet());
    }

    private static void send(HttpExchange ex, int status, byte[] body, String contentType) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(body);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", contentType != null ? contentType : "application/x-amz-json-1.0");
        h.set("x-amzn-RequestId", requestId());
        h.set("x-amz-crc32", Long.toString(crc.getValue()));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdown(); // in-flight requests finish (an interrupt could cut a journal write short)
        try {
            if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
