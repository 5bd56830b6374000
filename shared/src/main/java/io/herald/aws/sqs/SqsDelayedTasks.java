package io.herald.aws.sqs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.aws.config.AwsJsonCall;
import io.herald.aws.http.SignedHttp;
import io.herald.core.chat.DelayedTasks;
import io.herald.core.json.Json;
import java.net.URI;
import java.time.Duration;

/**
 * Delayed tasks as SQS messages with {@code DelaySeconds} (at most 900): the queue's function
 * receives each once it is due. One SigV4-signed SendMessage in SQS's JSON protocol
 * ({@link AwsJsonCall}), instead of an SQS client module for one operation. The body holds only
 * characters SQS accepts ({@link Json#writeXmlSafe}): a U+FFFF in a message would be refused.
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
        ObjectNode body = Json.object().put("QueueUrl", queueUrl).put("MessageBody", Json.writeXmlSafe(task)).put("DelaySeconds", seconds);
        AwsJsonCall.call(http, endpoint, "sqs", AwsJsonCall.JSON_1_0, "AmazonSQS.SendMessage", body);
    }
}
