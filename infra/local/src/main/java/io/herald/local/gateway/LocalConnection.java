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
    enum Sent { SENT, NOT_OPEN, FAILED }

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
        try {
            List<String> fragments = fragments(text, WebSocketGateway.MAX_FRAME);
            for (int i = 0; i < fragments.size(); i++) {
                Callback.Completable done = new Callback.Completable();
                s.sendPartialText(fragments.get(i), i == fragments.size() - 1, done);
                done.get(10, TimeUnit.SECONDS);
            }
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
