package io.herald.aws.sqs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.aws.http.SignedHttp;
import io.herald.core.chat.DelayedTasks;
import io.herald.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * Delayed tasks as SQS messages with {@code DelaySeconds} (at most 900): the queue's function
 * receives each once it is due. One SigV4-signed SendMessage in SQS's JSON protocol, as the
 * Management API calls are made, instead of an SQS client module for one operation.
 */
public final class SqsDelayedTasks implements DelayedTasks {
    static final int MAX_DELAY_SECONDS = 900;
    private final SignedHttp http;
    private final URI endpoint;
    private final String queueUrl;

    public SqsDelayedTasks(SignedHttp http, URI endpoint, String queueUrl) {
        this.http = http;
        this.endpoint = endpoint;
        this.queueUrl = queueUrl;
    }

    @Override
    public void schedule(ObjectNode task, Duration delay) {
        long seconds = Math.max(0, Math.min(MAX_DELAY_SECONDS, (delay.toMillis() + 999) / 1000));
        ObjectNode body = Json.object().put("QueueUrl", queueUrl).put("MessageBody", Json.write(task)).put("DelaySeconds", seconds);
        try {
            SignedHttp.Response r = http.send(SdkHttpMethod.POST, endpoint, "sqs",
                    Map.of("Content-Type", "application/x-amz-json-1.0", "X-Amz-Target", "AmazonSQS.SendMessage"),
                    Json.write(body).getBytes(StandardCharsets.UTF_8));
            if (!r.ok()) {
                throw new IllegalStateException("SQS SendMessage failed with HTTP " + r.status() + ": "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("SQS SendMessage could not reach " + endpoint, e);
        }
    }
}
