package io.herald.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.delivery.Deadline;
import io.herald.core.json.Json;
import io.herald.core.log.EventLog;
import java.time.Duration;

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

    /**
     * No record is started with less time left: a fan-out task or an inline publication takes
     * about 0.5 s, 8 s when every post is throttled to its last attempt (template.yaml).
     */
    static final Duration TAKE_RESERVE = Duration.ofSeconds(15);
    /**
     * Kept back inside a record once it stops starting posts: one attempt of a post under way (the
     * HTTP client's 2 s connect and 10 s socket timeouts; no further attempt starts) and the record
     * of whom it reached.
     */
    static final Duration POST_RESERVE = Duration.ofSeconds(13);

    private SqsBatch() {}

    static ObjectNode handle(JsonNode records, String failureEvent, Record each, AfterFailure afterFailure) {
        return handle(records, failureEvent, each, afterFailure, Deadline.NONE, null);
    }

    /**
     * As above, taking no record after the first once {@code taking} has passed (the timeout less
     * {@link #TAKE_RESERVE}): those are listed as failures too, untouched, and {@code notTaken} runs
     * for each (a worker makes them visible again at once; without it they return after the
     * queue's visibility timeout; either way SQS counts the receive). A record cut off by the
     * timeout would instead fail with the whole batch, the ones already handled included. The
     * first is always taken, so a function deployed with a short timeout still moves on.
     */
    static ObjectNode handle(JsonNode records, String failureEvent, Record each, AfterFailure afterFailure, Deadline taking,
            AfterFailure notTaken) {
        ObjectNode out = Json.object();
        ArrayNode failures = out.putArray("batchItemFailures");
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            String messageId = Json.text(r, "messageId");
            if (i > 0 && taking.passed()) {
                EventLog.STDOUT.log(EventLog.line("sqs_batch_deadline").put("failureEvent", failureEvent).put("notTaken", records.size() - i));
                for (int j = i; j < records.size(); j++) {
                    JsonStreamHandler.failed(failures, Json.text(records.get(j), "messageId"));
                    if (notTaken != null) notTaken.run(records.get(j));
                }
                break;
            }
            try {
                each.handle(r, messageId);
            } catch (RuntimeException e) {
                EventLog.STDOUT.log(EventLog.line(failureEvent).put("messageId", messageId)
                        .put("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
                JsonStreamHandler.failed(failures, messageId);
                if (afterFailure != null) afterFailure.run(r);
            }
        }
        return out;
    }
}
