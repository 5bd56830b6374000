package io.herald.dynamodb.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.api.Api;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.JsonTrees;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * DynamoDB's JSON 1.0 protocol over HTTP/1.1: {@code POST /} with {@code X-Amz-Target}, answers in
 * {@code application/x-amz-json-1.0} with AWS's error shape. Credentials and signatures are
 * accepted without checking.
 *
 * <p>One thread per keep-alive connection reads a request, runs it and writes the answer, with no
 * hand-off between threads. The JDK's {@code com.sun.net.httpserver}, used before, passed every
 * request from a selector thread to a worker and back, formatted a date per answer and wrote head
 * and body separately; on this project's 2-core machine that cost more than the engine's own work
 * (docs/dynamodb-benchmark.md has the A/B). SDK clients hold a few pooled connections each, so the
 * thread count stays small. Clients that never close their pools (a test suite making a client per
 * test) are why idle connections are closed after {@link #IDLE_MILLIS}, and, when
 * {@code maxConnections} are open, the idle ones are closed to make room; only if every connection
 * is mid-request is a new one answered 503.
 */
public final class WireServer implements AutoCloseable {
    /** DynamoDB refuses request bodies over 16 MB. */
    static final int MAX_BODY = 16 * 1024 * 1024;
    /** Once a request's first byte arrives, the whole request must within this (a stalled client holds a thread). */
    static final int REQUEST_MILLIS = 10_000;
    /** How long a connection closed with part of its request unread keeps reading (and dropping) it. */
    static final int LINGER_MILLIS = 2_000;
    /** An idle keep-alive connection is closed after this; SDK clients reconnect transparently. */
    static final int IDLE_MILLIS = 30_000;

    private final Api api;
    private final ServerSocket listener;
    private final ThreadPoolExecutor connections;
    private final Semaphore slots;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final int idleMillis;
    private final int requestMillis;
    private volatile boolean closing;

    public WireServer(Api api, String host, int port, int maxConnections) throws IOException {
        this(api, host, port, maxConnections, IDLE_MILLIS, REQUEST_MILLIS);
    }

    /** With deadlines of its own (tests). */
    WireServer(Api api, String host, int port, int maxConnections, int idleMillis, int requestMillis) throws IOException {
        this.api = api;
        this.idleMillis = idleMillis;
        this.requestMillis = requestMillis;
        this.listener = new ServerSocket(port, 256, InetAddress.getByName(host));
        AtomicInteger n = new AtomicInteger();
        this.slots = new Semaphore(maxConnections);
        this.connections = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "dynamodb-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Thread acceptor = new Thread(this::accept, "dynamodb-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Open connections on which a request has begun (its first bytes arrived) and is not yet answered. */
    public int requestsInProgress() {
        int n = 0;
        for (Connection c : open) {
            DeadlineInput in = c.input;
            if (in != null && in.begun()) n++;
        }
        return n;
    }

    private void accept() {
        while (!closing) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (closing) return;
                continue; // a connection that failed during accept does not stop the others
            }
            Connection c = new Connection(s);
            if (!takeSlot()) {
                c.refuse();
                continue;
            }
            try {
                connections.execute(c);
            } catch (RejectedExecutionException stopping) {
                slots.release();
                c.closeQuietly();
            }
        }
    }

    /**
     * A slot for a new connection, closing idle keep-alive connections to free one if need be. Tried
     * for a second: a connection that just answered becomes idle a moment after its client has read
     * the answer.
     */
    private boolean takeSlot() {
        if (slots.tryAcquire()) return true;
        try {
            for (int i = 0; i < 20; i++) {
                for (Connection c : open) c.closeIfIdle(); // their threads end and give their slots back
                if (slots.tryAcquire(50, TimeUnit.MILLISECONDS)) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        System.err.println("[herald-dynamodb] refusing a connection: " + open.size() + " open, every one mid-request");
        return false;
    }

    /** One client connection: requests in order, each answered before the next is read. */
    private final class Connection implements Runnable {
        private final Socket socket;
        private volatile DeadlineInput input; // null until the thread starts

        Connection(Socket socket) {
            this.socket = socket;
        }

        void refuse() {
            try (socket) {
                byte[] body = error("ServiceUnavailableException", "Too many open connections; try again");
                Http1.writeResponse(socket.getOutputStream(), 503, JSON, requestId(), crc(body), body, true);
            } catch (IOException ignored) {
                // the client is gone already
            }
        }

        @Override
        public void run() {
            try (socket) {
                socket.setTcpNoDelay(true);
                DeadlineInput deadline = new DeadlineInput(socket, idleMillis, requestMillis);
                input = deadline;
                open.add(this);
                InputStream in = new BufferedInputStream(deadline, 16 * 1024);
                OutputStream out = socket.getOutputStream();
                while (!closing) {
                    deadline.disarm();
                    Http1.Request head;
                    try {
                        head = Http1.readHead(in);
                    } catch (Http1.BadRequest bad) {
                        byte[] body = error("SerializationException", bad.getMessage());
                        Http1.writeResponse(out, bad.status, JSON, requestId(), crc(body), body, true);
                        lingerUnread();
                        return;
                    }
                    if (head == null) return;
                    if (!exchange(head, in, out)) return;
                }
            } catch (SocketTimeoutException | SocketException e) {
                // idle too long, stalled mid-request, or closed by the client or by close()
            } catch (IOException e) {
                // the client went away mid-request; nothing was acknowledged to it
            } finally {
                open.remove(this);
                slots.release();
            }
        }

        /** Answers one request; returns whether the connection stays open for the next. */
        private boolean exchange(Http1.Request head, InputStream in, OutputStream out) throws IOException {
            if (head.method().equals("GET")) {
                byte[] body = ("healthy: dynamodb." + api.database().region() + ".amazonaws.com ").getBytes(StandardCharsets.UTF_8);
                return answer(out, head, 200, "text/plain", body, false);
            }
            if (!head.method().equals("POST")) {
                // a body we do not read would be taken for the next request: close after answering
                return answer(out, head, 405, JSON, error("UnknownOperationException",
                        "Method " + head.method() + " is not supported; DynamoDB takes POST /"), true);
            }
            boolean tooLarge = head.contentLength() > MAX_BODY;
            if (head.expectContinue() && !tooLarge) Http1.writeContinue(out);
            byte[] body = tooLarge ? null : Http1.readBody(in, head, MAX_BODY);
            if (body == null) {
                return answer(out, head, 413, JSON, error("RequestEntityTooLarge", "Request body exceeds the limit of " + MAX_BODY + " bytes"), true);
            }
            int status = 200;
            byte[] answer;
            String target = head.target();
            try {
                JsonNode req;
                try {
                    req = JsonTrees.read(body);
                } catch (IOException e) {
                    throw new DynamoDbError("SerializationException", "Malformed JSON request body");
                }
                if (req == null) req = JsonNodeFactory.instance.objectNode();
                answer = JsonTrees.bytes(api.call(target, req));
            } catch (DynamoDbError e) {
                status = e.status();
                answer = errorBody(e);
            } catch (RuntimeException | StackOverflowError e) {
                status = 500;
                System.err.println("[herald-dynamodb] internal error on " + target + ": " + e);
                answer = error("InternalServerError", "Internal server error");
            }
            return answer(out, head, status, JSON, answer, false);
        }

        private boolean answer(OutputStream out, Http1.Request head, int status, String type, byte[] body, boolean mustClose) throws IOException {
            boolean close = mustClose || !head.keepAlive() || closing;
            Http1.writeResponse(out, status, type, requestId(), crc(body), body, close);
            if (mustClose) lingerUnread();
            return !close;
        }

        /**
         * After an answer that leaves part of the request unread (a 413 before a large body): stop
         * sending, then read and drop what the client is still sending for a moment before closing.
         * Closing with unread data makes the kernel send a reset, which can destroy the answer in
         * the client's receive buffer before the client reads it.
         */
        private void lingerUnread() {
            try {
                socket.shutdownOutput();
                socket.setSoTimeout(LINGER_MILLIS);
                InputStream raw = socket.getInputStream();
                byte[] sink = new byte[64 * 1024];
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
                long drained = 0;
                while (System.nanoTime() < until && drained < 2L * MAX_BODY) {
                    int n = raw.read(sink);
                    if (n < 0) break;
                    drained += n;
                }
            } catch (IOException ignored) {
                // the client stopped or went away: either way the answer has been sent
            }
        }

        /** Closes the connection unless a request has begun on it (its first bytes arrived). */
        void closeIfIdle() {
            DeadlineInput in = input;
            if (in != null && !in.begun()) closeQuietly();
        }

        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * The socket's input with two clocks: an idle connection may wait {@link #IDLE_MILLIS} for its
     * next request; once a request's first bytes arrive, all of it must arrive within
     * {@link #REQUEST_MILLIS}, however slowly a client trickles it.
     */
    private static final class DeadlineInput extends FilterInputStream {
        private final Socket socket;
        private final int idleMillis;
        private final int requestMillis;
        private volatile long deadline; // 0 while waiting for a request

        DeadlineInput(Socket socket, int idleMillis, int requestMillis) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.idleMillis = idleMillis;
            this.requestMillis = requestMillis;
        }

        void disarm() {
            deadline = 0;
        }

        boolean begun() {
            return deadline != 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (deadline == 0) {
                socket.setSoTimeout(idleMillis);
                int n = in.read(b, off, len);
                if (n > 0) deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestMillis);
                return n;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) throw new SocketTimeoutException("request not complete within " + requestMillis + " ms");
            socket.setSoTimeout((int) left);
            return in.read(b, off, len);
        }
    }

    private static final String JSON = "application/x-amz-json-1.0";

    private static long crc(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return crc.getValue();
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
        ObjectNode o = JsonNodeFactory.instance.objectNode();
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
        return AttributeJson.node(item);
    }

    private static final AtomicLong REQUESTS = new AtomicLong();
    private static final String INSTANCE = Long.toHexString(new java.util.Random().nextLong()); // not ProcessHandle: its reaper thread costs the first answer

    /** Unique per answer without SecureRandom, whose lock all request threads would share. */
    private static String requestId() {
        return INSTANCE + "-" + Long.toHexString(REQUESTS.incrementAndGet());
    }

    @Override
    public void close() {
        closing = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // stopping anyway
        }
        // idle connections go now; a request being served finishes and is answered with
        // Connection: close (an interrupt could cut a journal write short, so none is sent)
        for (Connection c : open) c.closeIfIdle();
        connections.shutdown();
        try {
            if (!connections.awaitTermination(5, TimeUnit.SECONDS)) {
                for (Connection c : open) c.closeQuietly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
