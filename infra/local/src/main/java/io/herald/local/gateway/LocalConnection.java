package io.herald.local.gateway;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** One client socket as API Gateway tracks it. */
public final class LocalConnection {
    enum State { CONNECTING, OPEN, CLOSED }

    final String id;
    final Instant connectedAt;
    final String sourceIp;
    final String userAgent;
    volatile Instant lastActiveAt;
    volatile State state = State.CONNECTING;
    volatile Session session;
    /** The authorizer's principalId and context, in every event's requestContext.authorizer; null without one. */
    volatile com.fasterxml.jackson.databind.node.ObjectNode authorizer;
    /** Its API's metrics: every message written to the client counts as one out. */
    volatile io.herald.local.metrics.ApiMetrics metrics;

    /** Request headers are not kept: only $connect sees them, and 10,000 idle sockets would hold 10,000 maps. */
    LocalConnection(String id, Instant connectedAt, String sourceIp, String userAgent) {
        this.id = id;
        this.connectedAt = connectedAt;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
        this.lastActiveAt = connectedAt;
    }

    public String id() {
        return id;
    }

    /** What became of a send. */
    /** FULL: a message before this one is still not written (the client stopped reading); nothing was queued. */
    enum Sent { SENT, NOT_OPEN, FAILED, FULL }

    /** How long a post waits for its message to be written before the client counts as not reading. */
    static final long WRITE_WAIT_SECONDS = 10;

    /** A write that did not finish within the wait: while it has not, the client is not reading. */
    private java.util.concurrent.CompletableFuture<Void> stuck;

    boolean isOpen() {
        Session s = session;
        return state == State.OPEN && s != null && s.isOpen();
    }

    /**
     * Sends one text message and waits for it to be written; messages of one socket never
     * interleave. As API Gateway does, a message is split into frames of at most
     * {@link WebSocketGateway#MAX_FRAME} bytes (Jetty would refuse a larger outgoing frame).
     */
    synchronized Sent send(String text) {
        Session s = session;
        if (!isOpen()) return Sent.NOT_OPEN;
        // API Gateway buffers for a slow client and refuses posts (429) while the buffer is full;
        // here the buffer is the socket's, full once a write has waited the whole wait
        if (stuck != null && !stuck.isDone()) return Sent.FULL;
        stuck = null;
        try {
            List<String> fragments = fragments(text, WebSocketGateway.MAX_FRAME);
            for (int i = 0; i < fragments.size(); i++) {
                Callback.Completable done = new Callback.Completable();
                s.sendPartialText(fragments.get(i), i == fragments.size() - 1, done);
                try {
                    done.get(WRITE_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException notReading) {
                    stuck = done;
                    throw notReading;
                }
            }
            io.herald.local.metrics.ApiMetrics m = metrics;
            if (m != null) m.messageOut();
            return Sent.SENT;
        } catch (Exception e) {
            return isOpen() ? Sent.FAILED : Sent.NOT_OPEN;
        }
    }

    /** Splits text into pieces of at most {@code maxBytes} UTF-8 bytes, never inside a character. */
    static List<String> fragments(String text, int maxBytes) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) {
                out.add(text.substring(start, i));
                start = i;
                bytes = 0;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        out.add(text.substring(start));
        return out;
    }

    /** Starts the close handshake; the future completes when the close frame is written. */
    java.util.concurrent.CompletableFuture<Void> close(int code, String reason) {
        Session s = session;
        Callback.Completable done = new Callback.Completable();
        if (s != null && s.isOpen()) s.close(code, reason, done);
        else done.succeed();
        return done;
    }
}
