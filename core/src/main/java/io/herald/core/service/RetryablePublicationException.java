package io.herald.core.service;

/**
 * The publication was not delivered to every subscriber this time, and nothing of it is recorded
 * as done: the trigger should deliver it again (SQS: that record's batch item failure; EventBridge
 * and direct invocation: the function's error, so Lambda retries and then the dead-letter queue).
 */
public abstract sealed class RetryablePublicationException extends RuntimeException
        permits PublicationInProgressException, FanOutIncompleteException {
    private final String publicationId;

    RetryablePublicationException(String publicationId, String message) {
        super(message);
        this.publicationId = publicationId;
    }

    public String publicationId() {
        return publicationId;
    }
}
