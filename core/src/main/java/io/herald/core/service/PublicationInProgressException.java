package io.herald.core.service;

/** Another attempt is fanning out the same publication id right now; try again after it ends. */
public final class PublicationInProgressException extends RetryablePublicationException {
    PublicationInProgressException(String publicationId) {
        super(publicationId, "publication " + publicationId + " is being delivered by another attempt; retry later");
    }
}
