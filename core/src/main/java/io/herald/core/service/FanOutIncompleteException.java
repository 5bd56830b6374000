package io.herald.core.service;

/**
 * Some subscribers could not be reached (throttled or failing past the retries, or a connection
 * still in $connect): the id was released so the retry delivers it. Subscribers already reached
 * may receive it twice; none loses it.
 */
public final class FanOutIncompleteException extends RetryablePublicationException {
    private final PublishService.Result result;

    FanOutIncompleteException(String publicationId, PublishService.Result result) {
        super(publicationId, "publication " + publicationId + " reached " + result.delivered() + " of " + result.matched()
                + " subscribers (" + result.failed() + " failed); released for a retry");
        this.result = result;
    }

    public PublishService.Result result() {
        return result;
    }
}
