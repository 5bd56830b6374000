package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.delivery.Deadline;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.log.EventLog;
import io.herald.core.service.Services;
import java.util.Map;
import java.util.Optional;

/**
 * The connections table's stream: after a connection is stored, send its welcome frame and
 * enforce one-connection-per-user. This is the path that works on AWS for "right after connect"
 * (a post during $connect gets 410). A connection DynamoDB's TTL removed (it never got a
 * $disconnect) gets its profile's disconnected hook here (chat's user:offline). Failures are logged, not thrown: a poison record must not
 * stall the shard, and a welcome is best-effort.
 *
 * <p>A record can take seconds (a welcome retried through the connect window), so a batch could
 * outlast the timeout, and Lambda would retry it whole. The handler stops taking records while
 * {@link #RESERVE} of its time is left and names the first one it did not take in a partial batch
 * response (the mapping's ReportBatchItemFailures): Lambda retries from there, nothing before it.
 */
public final class LifecycleHandler extends JsonStreamHandler {
    public LifecycleHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.UNUSED));
    }

    public LifecycleHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.UNUSED));
    }

    public LifecycleHandler(Services herald) {
        super(herald);
    }

    /**
     * Time kept back for the record in hand: a chat welcome's wait for the user index (under 2.5 s)
     * and a welcome's connect-window retries (up to about 6 s).
     */
    static final java.time.Duration RESERVE = java.time.Duration.ofSeconds(10);

    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        Deadline taking = deadline(context, RESERVE);
        int handled = 0;
        ObjectNode result = Json.object();
        ArrayNode failures = result.putArray("batchItemFailures");
        JsonNode records = event.path("Records");
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if (i > 0 && taking.passed()) {
                // Lambda retries this record and every one after it; the first is always taken, so a
                // function deployed with a short timeout still moves on
                failed(failures, r.path("dynamodb").path("SequenceNumber").asText());
                EventLog.STDOUT.log(EventLog.line("lifecycle_deadline").put("handled", handled).put("left", records.size() - i));
                break;
            }
            boolean inserted = "INSERT".equals(Json.text(r, "eventName"));
            if (!inserted && !expiredByTtl(r)) continue;
            JsonNode image = r.path("dynamodb").path(inserted ? "NewImage" : "OldImage");
            if (!image.isObject()) continue;
            try {
                Optional<Connection> c = DynamoDbConnectionStore.fromStreamImage(image);
                if (c.isEmpty()) continue;
                if (inserted) herald.lifecycle.connected(c.get(), herald.clock.instant());
                else herald.lifecycle.expired(c.get(), herald.clock.instant());
                handled++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // the runtime is stopping this invocation: this record and the rest go back to Lambda
                failed(failures, r.path("dynamodb").path("SequenceNumber").asText());
                break;
            } catch (RuntimeException e) {
                EventLog.STDOUT.log(EventLog.line("lifecycle_record_failed").put("eventID", Json.text(r, "eventID"))
                        .put("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return result.put("handled", handled);
    }

    /**
     * A removal DynamoDB's TTL made (not a $disconnect's or a 410 cleanup's delete, whose paths ran
     * the hooks already): the record's userIdentity is the DynamoDB service itself.
     */
    static boolean expiredByTtl(JsonNode r) {
        JsonNode who = r.path("userIdentity");
        return "REMOVE".equals(Json.text(r, "eventName")) && "Service".equals(Json.text(who, "type"))
                && "dynamodb.amazonaws.com".equals(Json.text(who, "principalId"));
    }
}
