package io.herald.local.gateway;

import java.time.Instant;
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

    /** Request headers are not kept: only $connect sees them, and 10,000 idle sockets would hold 10,000 maps. */
    LocalConnection(String id, Instant connectedAt, String sourceIp, String userAgent) {
        this.id = id;
        this.connectedAt = connectedAt;
        this.sourceIp = sourceIp;
        this.userAgent = userAgent;
        this.lastActiveAt = connectedAt;
    }

    /** Sends one text message and waits for it to be written; frames of one socket never interleave. */
    synchronized boolean send(String text) {
        Session s = session;
        if (state != State.OPEN || s == null || !s.isOpen()) return false;
        Callback.Completable done = new Callback.Completable();
        s.sendText(text, done);
        try {
            done.get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
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
