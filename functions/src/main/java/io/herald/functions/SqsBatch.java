package io.herald.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.log.EventLog;

/**
 * An SQS event with ReportBatchItemFailures: each record handled on its own, and only the ones
 * that failed listed, so Lambda deletes the rest and only those return to the queue (and, after
 * maxReceiveCount, rest in its dead-letter queue, visible, instead of vanishing).
 */
final class SqsBatch {
    /** Handles one record; throws to have it retried. */
    interface Record {
        void handle(JsonNode record, String messageId);
    }

    /** Runs after a record failed (a worker's backoff); may be none. */
    interface AfterFailure {
        void run(JsonNode record);
    }

    private SqsBatch() {}

    static ObjectNode handle(JsonNode records, String failureEvent, Record each, AfterFailure afterFailure) {
        ObjectNode out = Json.object();
        ArrayNode failures = out.putArray("batchItemFailures");
        for (JsonNode r : records) {
            String messageId = Json.text(r, "messageId");
            try {
                each.handle(r, messageId);
            } catch (RuntimeException e) {
                EventLog.STDOUT.log(EventLog.line(failureEvent).put("messageId", messageId)
                        .put("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
                failures.addObject().put("itemIdentifier", messageId);
                if (afterFailure != null) afterFailure.run(r);
            }
        }
        return out;
    }
}
