package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.delivery.Deadline;
import io.herald.core.json.Json;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Publication;
import io.herald.core.service.Services;
import java.util.Map;

/**
 * Domain events in: EventBridge events (rule target), SQS batches (event source mapping with
 * ReportBatchItemFailures) and direct invocations of a canonical publication.
 *
 * <p>Triggers that retry get a stable default id, so a redelivery is suppressed by the ledger:
 * EventBridge's event id, SQS's message id. A publication not fully delivered (or held by another
 * attempt) throws {@link io.herald.core.service.RetryablePublicationException}: an SQS record
 * becomes a batch item failure, an EventBridge event the function's error, so both are retried.
 */
public final class PublishHandler extends JsonStreamHandler {
    public PublishHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.UNUSED));
    }

    public PublishHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.UNUSED));
    }

    public PublishHandler(Services herald) {
        super(herald);
    }

    /** With the function's timeout watched (SqsBatch's reserves): a fan-out cut off by it would record nothing. */
    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        Deadline posting = deadline(context, SqsBatch.POST_RESERVE);
        if (event.has("Records")) return sqs(event.get("Records"), deadline(context, SqsBatch.TAKE_RESERVE), posting);
        if (event.has("detail-type")) {
            // an invalid event throws: Lambda's async retries then the DLQ keep it, nothing is dropped
            return herald.publisher.publishFromBackend(fromEventBridge(event), herald.clock.instant(), posting).toJson();
        }
        try {
            return herald.publisher.publishFromBackend(herald.codec.read(event), herald.clock.instant(), posting).toJson();
        } catch (InvalidPublicationException e) {
            return Json.object().put("error", e.getMessage());
        }
    }

    private Publication fromEventBridge(JsonNode event) {
        Publication p = herald.codec.readEventBridge(event);
        String id = Json.text(event, "id");
        return p.id() != null || id == null ? p : withId(p, "eb:" + id);
    }

    /** Partial batch response: only failed messages return to the queue (invalid ones too: they end in the DLQ). */
    private JsonNode sqs(JsonNode records, Deadline taking, Deadline posting) {
        return SqsBatch.handle(records, "sqs_record_failed", (r, messageId) -> {
            JsonNode body = Json.parse(r.path("body").asText(""));
            Publication p = body.has("detail-type") ? fromEventBridge(body) : herald.codec.read(body);
            if (p.id() == null && messageId != null) p = withId(p, "sqs:" + messageId);
            herald.publisher.publishFromBackend(p, herald.clock.instant(), posting);
        }, null, taking, null);
    }

    private static Publication withId(Publication p, String id) {
        return new Publication(id, p.type(), p.topics(), p.data(), p.metadata());
    }
}
