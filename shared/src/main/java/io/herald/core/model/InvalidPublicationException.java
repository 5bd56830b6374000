package io.herald.core.model;

/** A publication a publisher got wrong; the message says what to fix. Never retried. */
public final class InvalidPublicationException extends RuntimeException {
    public InvalidPublicationException(String message) {
        super(message);
    }
}
