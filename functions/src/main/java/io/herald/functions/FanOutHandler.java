package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.delivery.Deadline;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import java.util.Map;

/**
 * The tree fan-out worker (FanOutFunction): SQS batches of fan-out tasks, with
 * ReportBatchItemFailures. A task that fails is listed as a batch item failure and kept out of
 * sight for a backoff that grows with its receive count, so only it is retried, later; the rest of
 * the batch is deleted by Lambda.
 *
 * <p>It watches the function's timeout: no task is started with less than {@link SqsBatch#TAKE_RESERVE}
 * left (those go back to the queue, visible at once), and a batch starts no post with less than
 * {@link SqsBatch#POST_RESERVE} left, recording whom it reached; cut off by the timeout instead, it would
 * record nothing and its retry would post it all again.
 */
public final class FanOutHandler extends JsonStreamHandler {
    public FanOutHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.UNUSED));
    }

    public FanOutHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.UNUSED));
    }

    public FanOutHandler(Services herald) {
        super(herald);
    }

    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        Deadline posting = deadline(context, SqsBatch.POST_RESERVE);
        return SqsBatch.handle(event.path("Records"), "fanout_task_failed",
                (r, id) -> herald.fanOut.handle(FanOutTask.read(r.path("body").asText("")), herald.clock.instant(), posting),
                r -> herald.fanOut.retryLater(Json.text(r, "receiptHandle"), r.path("attributes").path("ApproximateReceiveCount").asInt(1)),
                deadline(context, SqsBatch.TAKE_RESERVE), r -> herald.fanOut.retryNow(Json.text(r, "receiptHandle")));
    }
}
