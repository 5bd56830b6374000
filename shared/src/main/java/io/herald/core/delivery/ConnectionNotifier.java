package io.herald.core.delivery;

/** Sends to and closes connections (the API Gateway Management API, or anything that speaks it). */
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

    /** Posts one message; never throws for remote failures, it classifies them. */
    Outcome post(String connectionId, byte[] payload);

    /** Closes the connection (DeleteConnection); a connection already gone is not an error. */
    void disconnect(String connectionId);
}
