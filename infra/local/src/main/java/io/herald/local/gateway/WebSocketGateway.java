package io.herald.local.gateway;

import io.herald.core.concurrent.DaemonThreads;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.local.lambda.LocalFunction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/**
 * The API Gateway WebSocket API, emulated: $connect runs before the upgrade and its status decides
 * the handshake; each frame is routed by the template's route selection expression and handed to
 * its function as API Gateway's MESSAGE event; a close runs $disconnect. API Gateway's limits hold:
 * 32 KB frames and 128 KB messages (close 1009), idle timeout and maximum duration (close 1001).
 * As on API Gateway, no extension (permessage-deflate) is negotiated, a binary frame closes the
 * connection with 1003, and messages to a client are split into frames of at most 32 KB.
 */
public final class WebSocketGateway implements WebSocketCreator {
    public static final int MAX_FRAME = 32 * 1024;
    public static final int MAX_MESSAGE = 128 * 1024;

    /** Limits; tests shorten the timeouts. */
    public record Limits(Duration idleTimeout, Duration maxConnection) {
        public static final Limits AWS = new Limits(Duration.ofMinutes(10), Duration.ofHours(2));
    }

    private final Map<String, LocalConnection> connections = new ConcurrentHashMap<>();
    private final Map<String, LocalFunction> routes;
    private final String[] selectionPath;
    private final GatewayEvents events;
    private final Limits limits;
    /** The $connect route's REQUEST authorizer, if the template gives it one. */
    private volatile RequestAuthorizer authorizer;
    /**
     * Integration invocations in flight at once, like a function's concurrency limit: without a
     * bound, ten thousand clients dropping together start ten thousand $disconnect threads and
     * starve every new $connect.
     */
    static final int CONCURRENCY = 64;
    private final ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY, DaemonThreads.named("herald-ws-invoke"));
    private final ScheduledThreadPoolExecutor timers = timers();
    /** Set when the stack stops: a socket whose upgrade completes after that is closed with 1001 at once. */
    private volatile boolean shuttingDown;

    /** Cancelled timers leave the queue at once, not when they would have fired. */
    private static ScheduledThreadPoolExecutor timers() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("herald-ws-timer"));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /**
     * @param routes               route key to function, from the template
     * @param selectionExpression  e.g. {@code $request.body.action}
     */
    public WebSocketGateway(Map<String, LocalFunction> routes, String selectionExpression, String stage, String domainName,
            Limits limits) {
        this.routes = new LinkedHashMap<>(routes);
        String prefix = "$request.body.";
        // the documented ${request.body.action} form means the same
        if (selectionExpression.matches("\\$\\{request\\.body\\.[^}]+}")) {
            selectionExpression = "$" + selectionExpression.substring(2, selectionExpression.length() - 1);
        }
        if (!selectionExpression.startsWith(prefix)) {
            throw new IllegalArgumentException("unsupported route selection expression " + selectionExpression);
        }
        this.selectionPath = selectionExpression.substring(prefix.length()).split("\\.");
        this.events = new GatewayEvents(stage, domainName, "local");
        this.limits = limits;
    }

    /** Route key to its throttle (the stage's default and route settings); a route without one is not throttled. */
    private volatile Map<String, TokenBucket> throttles = Map.of();

    public void throttles(Map<String, TokenBucket> byRoute) {
        this.throttles = Map.copyOf(byRoute);
    }

    private boolean throttled(String routeKey) {
        TokenBucket b = throttles.get(routeKey);
        return b != null && !b.tryTake();
    }

    /** The stage's StageVariables, for every event and the authorizer's request. */
    public void stageVariables(Map<String, String> variables) {
        events.stageVariables(variables);
    }

    /** Protects $connect with a REQUEST authorizer, as the template's route does on AWS. */
    public void authorizer(RequestAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    public void configure(ServerWebSocketContainer container, String stagePath) {
        container.setMaxFrameSize(MAX_FRAME);
        container.setAutoFragment(false); // with fragmenting on, Jetty would split an oversized frame instead of refusing it
        container.setMaxTextMessageSize(MAX_MESSAGE);
        container.setMaxBinaryMessageSize(MAX_MESSAGE);
        container.setIdleTimeout(limits.idleTimeout());
        container.addMapping(stagePath, this);
    }

    public Optional<LocalConnection> find(String id) {
        return Optional.ofNullable(connections.get(id));
    }

    /** Timers waiting to fire (each open connection's maximum duration). */
    public int pendingTimers() {
        return timers.getQueue().size();
    }

    public Collection<LocalConnection> open() {
        return connections.values().stream().filter(c -> c.state == LocalConnection.State.OPEN).toList();
    }

    // ---------------------------------------------------------------- $connect, before the upgrade

    @Override
    public Object createWebSocket(ServerUpgradeRequest req, ServerUpgradeResponse resp, org.eclipse.jetty.util.Callback cb) {
        if (throttled("$connect")) {
            Response.writeError(req, resp, cb, 429, "Too Many Requests");
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField f : req.getHeaders()) headers.merge(f.getName(), f.getValue(), (a, b) -> a + "," + b);
        String ip = Request.getRemoteAddr(req);
        LocalConnection c = new LocalConnection(GatewayEvents.newConnectionId(), Instant.now(), ip,
                headers.getOrDefault("User-Agent", ""));
        connections.put(c.id, c); // CONNECTING: posts answer 410 until $connect returns and the upgrade completes

        Map<String, List<String>> query = new LinkedHashMap<>();
        Request.extractQueryParameters(req).forEach(f -> query.put(f.getName(), f.getValues()));
        RequestAuthorizer auth = authorizer;
        if (auth != null) {
            RequestAuthorizer.Decision d = auth.authorize(
                    events.authorizerRequest(c, GatewayEvents.newRequestId(), headers, query, events.methodArn("$connect")),
                    headers, query, events.methodArn("$connect"));
            if (!d.allowed()) {
                connections.remove(c.id);
                Response.writeError(req, resp, cb, d.status(), d.message());
                return null;
            }
            c.authorizer = d.context();
        }
        LocalFunction connect = routes.get("$connect");
        JsonNode result = Json.object().put("statusCode", 200);
        if (connect != null) {
            try {
                result = Json.parse(new String(connect.invoke(events.connect(c, GatewayEvents.newRequestId(), headers, query)),
                        StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                connections.remove(c.id);
                System.err.println("[herald-local] $connect failed: " + e);
                Response.writeError(req, resp, cb, 500, "Internal server error");
                return null;
            }
        }
        int status = result.path("statusCode").asInt(200);
        if (status / 100 != 2) {
            connections.remove(c.id);
            Response.writeError(req, resp, cb, status, result.path("body").asText(""));
            return null;
        }
        // the subprotocol is accepted only when $connect returned it, as on API Gateway
        String protocol = header(result.path("headers"), "Sec-WebSocket-Protocol");
        if (protocol != null) resp.setAcceptedSubProtocol(protocol);
        // API Gateway negotiates no extension: a client offering permessage-deflate gets plain frames
        resp.setExtensions(List.of());
        return new Endpoint(c);
    }

    private static String header(JsonNode headers, String name) {
        for (var it = headers.fields(); it.hasNext(); ) {
            var f = it.next();
            if (f.getKey().equalsIgnoreCase(name)) return f.getValue().asText();
        }
        return null;
    }

    // ---------------------------------------------------------------- frames and close

    /** Public: Jetty binds the listener methods through method handles. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private final LocalConnection c;
        /** Frames of one connection reach the integration in order. */
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        /** The maximum-duration close; cancelled at close, or it would keep the connection for two hours. */
        private volatile ScheduledFuture<?> maxDuration;

        Endpoint(LocalConnection c) {
            this.c = c;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            c.session = session;
            c.state = LocalConnection.State.OPEN;
            if (shuttingDown) {
                c.close(1001, "Server shutting down");
                return;
            }
            maxDuration = timers.schedule(() -> c.close(1001, "Going away"), limits.maxConnection().toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void onWebSocketText(String text) {
            dispatch(text);
        }

        /** API Gateway does not take binary frames: it closes the connection with 1003 (unsupported data). */
        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
            c.close(1003, "Binary frames are not supported");
        }

        private synchronized void dispatch(String body) {
            c.lastActiveAt = Instant.now();
            tail = tail.thenRunAsync(() -> route(c, body), pool);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            ScheduledFuture<?> timer = maxDuration;
            if (timer != null) timer.cancel(false);
            c.state = LocalConnection.State.CLOSED;
            connections.remove(c.id);
            LocalFunction disconnect = routes.get("$disconnect");
            if (disconnect == null) return;
            synchronized (this) {
                tail = tail.thenRunAsync(() -> {
                    try {
                        disconnect.invoke(events.disconnect(c, GatewayEvents.newRequestId(), statusCode, reason));
                    } catch (RuntimeException e) {
                        System.err.println("[herald-local] $disconnect failed: " + e);
                    }
                }, pool);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // Jetty closes the session itself (1009 for oversized frames, 1001 on idle timeout)
        }
    }

    private void route(LocalConnection c, String body) {
        String requestId = GatewayEvents.newRequestId();
        String routeKey = selectRoute(body);
        LocalFunction f = routes.get(routeKey);
        if (f != null && throttled(routeKey)) {
            // the socket stays open; the client is told in the shape of API Gateway's other error frames
            c.send(Json.write(Json.object().put("message", "Too Many Requests").put("connectionId", c.id).put("requestId", requestId)));
            return;
        }
        if (f == null) {
            c.send(Json.write(Json.object().put("message", "Forbidden").put("connectionId", c.id).put("requestId", requestId)));
            return;
        }
        try {
            f.invoke(events.message(c, routeKey, requestId, body));
        } catch (RuntimeException e) {
            // what API Gateway tells the client when the integration fails; the socket stays open
            System.err.println("[herald-local] " + routeKey + " failed: " + e);
            c.send(Json.write(Json.object().put("message", "Internal server error").put("connectionId", c.id)
                    .put("requestId", requestId)));
        }
    }

    private String selectRoute(String body) {
        try {
            JsonNode n = Json.parse(body);
            for (String p : selectionPath) n = n.path(p);
            if (n.isValueNode() && routes.containsKey(n.asText()) && !n.asText().startsWith("$")) return n.asText();
        } catch (Json.MalformedJsonException e) {
            // not JSON: $default, like API Gateway
        }
        return "$default";
    }

    /** Closes every socket with 1001 (the local stack is going away). */
    public void shutdown() {
        shuttingDown = true;
        // an upgrade still completing has no session to close yet: let it open (and close itself)
        long deadline = System.currentTimeMillis() + 1000;
        while (connections.values().stream().anyMatch(c -> c.session == null) && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        CompletableFuture<?>[] closing = connections.values().stream().map(c -> c.close(1001, "Server shutting down"))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(closing).get(3, TimeUnit.SECONDS); // let the close frames out before the server stops
        } catch (Exception e) {
            // a client that does not read is not waited for longer
        }
        timers.shutdownNow();
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
