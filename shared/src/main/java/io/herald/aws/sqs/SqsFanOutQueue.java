package io.herald.aws.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.aws.config.AwsJsonCall;
import io.herald.aws.http.SignedHttp;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.fanout.FanOutQueue;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fan-out queue on SQS: SendMessageBatch (10 entries and 256 KB a call) and
 * ChangeMessageVisibility, as signed AWS JSON 1.0 calls. Not the SDK's SqsClient: it would add its
 * module and endpoint rules to every cold start for two operations (the same choice as the
 * Management API's {@link io.herald.aws.apigateway.ApiGatewayNotifier}). Entries SQS reports failed
 * for its own reasons (throttling, internal errors) are sent again with backoff; an entry still
 * failing, or refused as the sender's fault, fails the whole call, which the caller turns into a retry.
 */
public final class SqsFanOutQueue implements FanOutQueue {
    private static final int ENTRIES_PER_CALL = 10;
    /** SQS's maximum visibility timeout: 12 hours. */
    private static final long MAX_VISIBILITY_SECONDS = 43_200;

    private final SignedHttp http;
    private final URI endpoint;
    private final String queueUrl;
    private final RetryPolicy retry;
    private final Delivery.Sleeper sleeper;

    public SqsFanOutQueue(SignedHttp http, URI endpoint, String queueUrl, RetryPolicy retry, Delivery.Sleeper sleeper) {
        this.http = http;
        this.endpoint = endpoint;
        this.queueUrl = queueUrl;
        this.retry = retry;
        this.sleeper = sleeper;
    }

    @Override
    public void enqueue(List<FanOutTask> tasks) {
        List<String> chunk = new ArrayList<>();
        int chunkBytes = 0;
        for (FanOutTask t : tasks) {
            String body = FanOutTask.write(t);
            int bytes = body.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > FanOutTask.MAX_BODY_BYTES) {
                throw new IllegalArgumentException("fan-out task of " + bytes + " bytes exceeds SQS's " + FanOutTask.MAX_BODY_BYTES);
            }
            if (chunk.size() == ENTRIES_PER_CALL || chunkBytes + bytes > FanOutTask.MAX_BODY_BYTES) {
                send(chunk);
                chunk = new ArrayList<>();
                chunkBytes = 0;
            }
            chunk.add(body);
            chunkBytes += bytes;
        }
        if (!chunk.isEmpty()) send(chunk);
    }

    /** One SendMessageBatch, then again for the entries SQS failed on its side, until none is left. */
    private void send(List<String> bodies) {
        Map<String, String> pending = new LinkedHashMap<>();
        for (int i = 0; i < bodies.size(); i++) pending.put(Integer.toString(i), bodies.get(i));
        for (int attempt = 1; ; attempt++) {
            ObjectNode request = Json.object().put("QueueUrl", queueUrl);
            ArrayNode entries = request.putArray("Entries");
            pending.forEach((id, body) -> entries.addObject().put("Id", id).put("MessageBody", body));
            String lastError;
            try {
                JsonNode answer = AwsJsonCall.call(http, endpoint, "sqs", AwsJsonCall.JSON_1_0, "AmazonSQS.SendMessageBatch", request);
                answer.path("Successful").forEach(ok -> pending.remove(ok.path("Id").asText()));
                lastError = null;
                for (JsonNode f : answer.path("Failed")) {
                    lastError = f.path("Code").asText() + ": " + f.path("Message").asText();
                    if (f.path("SenderFault").asBoolean(false)) {
                        throw new Refused("SQS refused a fan-out task (" + lastError + ")");
                    }
                }
                if (pending.isEmpty()) return;
            } catch (Refused e) {
                throw e; // retrying the same entry cannot help
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                lastError = e.getMessage(); // throttled, a server error, or no answer: the call is tried again
            }
            if (attempt >= retry.maxAttempts()) {
                throw new IllegalStateException(pending.size() + " fan-out tasks not queued after " + attempt + " attempts: " + lastError);
            }
            try {
                sleeper.sleep(retry.delayMillis(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while queueing fan-out tasks", e);
            }
        }
    }

    /** SQS refused an entry as the sender's fault (too large, malformed). */
    static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }

    @Override
    public void retryAfter(String handle, Duration delay) {
        long seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, (delay.toMillis() + 999) / 1000));
        try {
            AwsJsonCall.call(http, endpoint, "sqs", AwsJsonCall.JSON_1_0, "AmazonSQS.ChangeMessageVisibility",
                    Json.object().put("QueueUrl", queueUrl).put("ReceiptHandle", handle).put("VisibilityTimeout", seconds));
        } catch (RuntimeException e) {
            // best-effort: the queue's own visibility timeout applies instead
        }
    }
}
