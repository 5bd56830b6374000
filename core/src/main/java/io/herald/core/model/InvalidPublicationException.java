package io.herald.core.model;

/** A publication a publisher got wrong; the message says what to fix. Never retried. */
public final class InvalidPublicationException extends RuntimeException {
    private final boolean tooLarge;

    public InvalidPublicationException(String message) {
        this(message, false);
    }

    private InvalidPublicationException(String message, boolean tooLarge) {
        super(message);
        this.tooLarge = tooLarge;
    }

    /** The encoded message exceeds what API Gateway can deliver (HTTP 413 at the publish API). */
    public static InvalidPublicationException tooLarge(int bytes, int limit) {
        return new InvalidPublicationException("message is " + bytes + " bytes; API Gateway delivers at most "
                + limit + " bytes per message", true);
    }

    public boolean isTooLarge() {
        return tooLarge;
    }
}
