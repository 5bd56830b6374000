package io.herald.local.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.local.events.EventPattern;
import io.herald.local.lambda.LocalFunction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lambda's SQS event source mapping: long-polls the queue, gathers a batch (up to
 * {@code batchSize}, waiting at most the batching window for more), invokes the function with the
 * SQS event, and deletes what succeeded. A function error leaves the whole batch to reappear after
 * the visibility timeout; with {@code ReportBatchItemFailures} only the listed items stay, and a
 * response naming an item that is not in the batch fails the whole batch, as Lambda does. The
 * queue's redrive policy then moves a message that keeps failing to its dead-letter queue. Messages
 * the filter criteria do not match are deleted without an invocation. One batch at a time.
 */
public final class SqsEventSource implements Runnable {
    /** The mapping's settings as the template's SQS event sets them. */
    public record Settings(int batchSize, int maximumBatchingWindowInSeconds, boolean reportBatchItemFailures,
            List<EventPattern> filters) {}

    /** How long one receive waits before the loop looks at its stop flag again. */
    private static final long POLL_MILLIS = 1000;

    private final SqsQueue queue;
    private final LocalFunction function;
    private final Settings settings;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicInteger errors = new AtomicInteger();

    public SqsEventSource(SqsQueue queue, LocalFunction function, Settings settings) {
        this.queue = queue;
        this.function = function;
        this.settings = settings;
        this.thread = new Thread(this, "herald-sqs-" + queue.name());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Invocations that failed (the function threw); their batches went back to the queue. */
    public int errors() {
        return errors.get();
    }

    @Override
    public void run() {
        while (running) {
            try {
                List<SqsQueue.Delivery> batch = gather();
                if (!batch.isEmpty()) deliver(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                System.err.println("[herald-local] SQS event source " + queue.name() + ": " + e);
            }
        }
    }

    /** A batch: what one long poll finds, then more until the batch is full or the window has passed. */
    private List<SqsQueue.Delivery> gather() throws InterruptedException {
        int visibility = queue.settings().visibilityTimeout();
        List<SqsQueue.Delivery> batch = new ArrayList<>(queue.receive(Math.min(10, settings.batchSize()), visibility, POLL_MILLIS));
        if (batch.isEmpty()) return batch;
        long windowEnds = System.currentTimeMillis() + settings.maximumBatchingWindowInSeconds() * 1000L;
        while (running && batch.size() < settings.batchSize()) {
            long left = windowEnds - System.currentTimeMillis();
            if (left <= 0) break;
            batch.addAll(queue.receive(Math.min(10, settings.batchSize() - batch.size()), visibility, left));
        }
        return batch;
    }

    private void deliver(List<SqsQueue.Delivery> batch) {
        List<SqsQueue.Delivery> matching = new ArrayList<>();
        ArrayNode records = Json.MAPPER.createArrayNode();
        for (SqsQueue.Delivery d : batch) {
            ObjectNode r = record(d);
            if (settings.filters().isEmpty() || settings.filters().stream().anyMatch(p -> p.matches(filterView(r)))) {
                matching.add(d);
                records.add(r);
            } else {
                queue.delete(d.receiptHandle()); // Lambda deletes what its filters drop
            }
        }
        if (matching.isEmpty()) return;
        ObjectNode event = Json.object();
        event.set("Records", records);
        JsonNode response;
        try {
            byte[] out = function.invoke(Json.write(event).getBytes(StandardCharsets.UTF_8));
            response = out.length == 0 ? Json.object() : Json.parse(new String(out, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            System.err.println("[herald-local] " + function.name() + " failed on an SQS batch of " + queue.name() + ": " + e);
            return; // every message reappears after its visibility timeout
        }
        Set<String> failed = settings.reportBatchItemFailures() ? failures(response, matching) : Set.of();
        for (SqsQueue.Delivery d : matching) {
            if (!failed.contains(d.messageId())) queue.delete(d.receiptHandle());
        }
    }

    /**
     * The message ids the response lists as failed. An item with an empty identifier or one that is
     * not in the batch makes Lambda treat the whole batch as failed.
     */
    private static Set<String> failures(JsonNode response, List<SqsQueue.Delivery> batch) {
        Set<String> inBatch = new HashSet<>();
        batch.forEach(d -> inBatch.add(d.messageId()));
        Set<String> out = new HashSet<>();
        JsonNode items = response.path("batchItemFailures");
        if (!items.isArray()) return out;
        for (JsonNode item : items) {
            String id = item.path("itemIdentifier").asText("");
            if (!inBatch.contains(id)) return inBatch;
            out.add(id);
        }
        return out;
    }

    /** The record as Lambda delivers it for an SQS message. */
    private ObjectNode record(SqsQueue.Delivery d) {
        ObjectNode r = Json.object().put("messageId", d.messageId()).put("receiptHandle", d.receiptHandle()).put("body", d.body());
        ObjectNode attrs = r.putObject("attributes");
        SqsEndpoint.systemAttributes(d).forEach(attrs::put);
        ObjectNode ma = r.putObject("messageAttributes");
        d.messageAttributes().forEach((k, v) -> {
            ObjectNode a = ma.putObject(k);
            if (v.binaryValue() != null) a.put("binaryValue", Base64.getEncoder().encodeToString(v.binaryValue()));
            else a.put("stringValue", v.stringValue());
            a.putArray("stringListValues");
            a.putArray("binaryListValues");
            a.put("dataType", v.dataType());
        });
        r.put("md5OfBody", d.md5OfBody()).put("eventSource", "aws:sqs").put("eventSourceARN", queue.arn())
                .put("awsRegion", SqsQueues.REGION);
        return r;
    }

    /** Lambda filters an SQS record with its body parsed when the body is a JSON object. */
    private static JsonNode filterView(ObjectNode record) {
        ObjectNode view = record.deepCopy();
        try {
            JsonNode body = Json.parse(record.get("body").asText());
            if (body.isObject()) view.set("body", body);
        } catch (Json.MalformedJsonException e) {
            // a plain-text body is matched as a string
        }
        return view;
    }
}
