package io.herald.local.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * One WebSocket API's metrics: ConnectCount (accepted handshakes), the connections open now,
 * MessageCount split into messages in (frames from clients) and out (frames to clients: posts,
 * route responses, error frames), and the Management API's posts and 410 (GoneException) answers.
 */
public final class ApiMetrics {
    private final LongAdder connects = new LongAdder();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder posts = new LongAdder();
    private final LongAdder gone = new LongAdder();
    private volatile IntSupplier open = () -> 0;

    public void connected() {
        connects.increment();
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void messageOut() {
        messagesOut.increment();
    }

    /** A Management API POST, whatever its answer. */
    public void posted() {
        posts.increment();
    }

    /** A Management API call answered 410. */
    public void gone() {
        gone.increment();
    }

    /** Where the count of open connections is read. */
    public void openConnections(IntSupplier count) {
        this.open = count;
    }

    ObjectNode json() {
        return Json.object().put("connects", connects.sum()).put("connections", open.getAsInt())
                .put("messagesIn", messagesIn.sum()).put("messagesOut", messagesOut.sum())
                .put("managementPosts", posts.sum()).put("management410s", gone.sum());
    }
}
