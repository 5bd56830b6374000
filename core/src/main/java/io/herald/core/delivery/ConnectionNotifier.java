package io.herald.core.delivery;

/**
 * Sends to and closes connections (the API Gateway Management API, or anything that speaks it).
 * Neither method throws for remote failures: each sorts the answer into an {@link Outcome}, and
 * {@link Delivery} decides what to retry.
 */
public interface ConnectionNotifier {
    enum Outcome {
        DELIVERED,
        /** The connection is closed or unknown (HTTP 410): stop sending and forget it. */
        GONE,
        /** Throttled or a server-side failure (429, 5xx, I/O): worth another try. */
        RETRYABLE,
        /** Refused for good (400, 403, 413): retrying cannot help. */
        REJECTED
    }

    /** Posts one message. */
    Outcome post(String connectionId, byte[] payload);

    /**
     * Closes the connection (DeleteConnection). DELIVERED when closed now, GONE when it was
     * already closed (both reach the goal), RETRYABLE or REJECTED as for posts.
     */
    Outcome disconnect(String connectionId);
}
