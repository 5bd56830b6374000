package io.herald.local.sqs;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The stack's queues by name, with SQS's URL and ARN forms ({@code {endpoint}/000000000000/{name}},
 * {@code arn:aws:sqs:us-east-1:000000000000:{name}}), dead-letter queues linked by ARN.
 */
public final class SqsQueues {
    public static final String ACCOUNT = "000000000000";
    public static final String REGION = "us-east-1";

    private final String endpoint;
    private final Clock clock;
    private final Map<String, SqsQueue> byName = new LinkedHashMap<>();

    /** @param endpoint the HTTP endpoint serving them, e.g. {@code http://localhost:8080} */
    public SqsQueues(String endpoint, Clock clock) {
        this.endpoint = endpoint;
        this.clock = clock;
    }

    public static String arn(String name) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + name;
    }

    public String url(String name) {
        return endpoint + "/" + ACCOUNT + "/" + name;
    }

    /**
     * Creates the queues, then links each to its dead-letter queue.
     *
     * @throws IllegalStateException when a redrive policy names a queue that is not among them
     */
    public void create(Map<String, SqsQueue.Settings> queues) {
        queues.forEach((name, s) -> byName.put(name, new SqsQueue(name, url(name), arn(name), s, clock)));
        for (SqsQueue q : byName.values()) {
            String dlq = q.settings().deadLetterTargetArn();
            if (dlq == null) continue;
            SqsQueue target = byArn(dlq).orElseThrow(() -> new IllegalStateException(
                    "queue " + q.name() + ": RedrivePolicy.deadLetterTargetArn " + dlq + " is not a queue of this template"));
            q.deadLetterQueue(target);
        }
    }

    public Optional<SqsQueue> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<SqsQueue> byArn(String arn) {
        int colon = arn.lastIndexOf(':');
        return arn.equals(arn(arn.substring(colon + 1))) ? byName(arn.substring(colon + 1)) : Optional.empty();
    }

    /** The queue a QueueUrl names: SQS reads the account and name from its path. */
    public Optional<SqsQueue> byUrl(String url) {
        if (url == null) return Optional.empty();
        String path = url.replaceFirst("^[a-z]+://[^/]+", "");
        String prefix = "/" + ACCOUNT + "/";
        return path.startsWith(prefix) ? byName(path.substring(prefix.length())) : Optional.empty();
    }

    public Collection<SqsQueue> all() {
        return byName.values();
    }

    public void wakeAll() {
        byName.values().forEach(SqsQueue::wakeAll);
    }
}
