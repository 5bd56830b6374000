package io.herald.local.template;

import static io.herald.local.template.Refusals.integer;
import static io.herald.local.template.Refusals.refused;

import io.herald.core.json.Json;
import io.herald.local.events.EventPattern;
import io.herald.local.sqs.SqsEventSource;
import io.herald.local.sqs.SqsQueue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The template's queues (AWS::SQS::Queue) and SQS event sources (a function's {@code Type: SQS}
 * events), read into the settings the SQS emulation runs on. What the emulation does not do (FIFO
 * queues, properties it does not know) is refused with the resource and property named, so a
 * template never silently behaves otherwise than on AWS.
 */
public final class SqsResources {
    public record Queue(String logicalId, String name, SqsQueue.Settings settings) {}

    public record Mapping(String function, String queueLogicalId, boolean enabled, SqsEventSource.Settings settings) {}

    /** Properties with no behaviour to emulate locally (tags, encryption at rest, who may use a DLQ). */
    private static final Set<String> QUEUE_PROPERTIES = Set.of("QueueName", "VisibilityTimeout", "DelaySeconds",
            "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "Tags",
            "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "RedriveAllowPolicy", "FifoQueue");
    /** ScalingConfig caps concurrency; the local mapping runs one batch at a time, within any cap. */
    private static final Set<String> EVENT_PROPERTIES = Set.of("Queue", "BatchSize", "MaximumBatchingWindowInSeconds",
            "FunctionResponseTypes", "Enabled", "FilterCriteria", "ScalingConfig");

    private SqsResources() {}

    /** @throws IllegalStateException naming the queue and property the local stack cannot emulate */
    public static List<Queue> queues(SamTemplate t) {
        List<Queue> out = new ArrayList<>();
        t.ofType("AWS::SQS::Queue").forEach((id, r) -> {
            Map<String, Object> p = SamTemplate.props(r);
            for (String key : p.keySet()) {
                if (!QUEUE_PROPERTIES.contains(key)) throw refused(id + " (AWS::SQS::Queue)", key, "is not emulated by the local stack");
            }
            if ("true".equalsIgnoreCase(String.valueOf(t.resolve(p.getOrDefault("FifoQueue", "false"))))) {
                throw refused(id + " (AWS::SQS::Queue)", "FifoQueue", "true: FIFO queues are not emulated by the local stack");
            }
            SqsQueue.Settings d = SqsQueue.Settings.DEFAULTS;
            String dlq = null;
            int maxReceive = 0;
            Object redrive = t.resolve(p.get("RedrivePolicy"));
            if (redrive != null) {
                Map<String, Object> rp = redrive instanceof String s ? Json.MAPPER.convertValue(Json.parse(s), Map.class)
                        : SamTemplate.map(redrive);
                dlq = String.valueOf(t.resolve(rp.get("deadLetterTargetArn")));
                maxReceive = integer(t, id, "RedrivePolicy.maxReceiveCount", rp.get("maxReceiveCount"), Refusals.REQUIRED, 1, 1000);
            }
            SqsQueue.Settings s = new SqsQueue.Settings(
                    integer(t, id, "VisibilityTimeout", p.get("VisibilityTimeout"), d.visibilityTimeout(), 0, 43_200),
                    integer(t, id, "DelaySeconds", p.get("DelaySeconds"), d.delaySeconds(), 0, 900),
                    integer(t, id, "MaximumMessageSize", p.get("MaximumMessageSize"), d.maximumMessageSize(), 1024, 1_048_576),
                    integer(t, id, "MessageRetentionPeriod", p.get("MessageRetentionPeriod"), d.messageRetentionPeriod(), 60, 1_209_600),
                    integer(t, id, "ReceiveMessageWaitTimeSeconds", p.get("ReceiveMessageWaitTimeSeconds"),
                            d.receiveMessageWaitTimeSeconds(), 0, 20),
                    dlq, maxReceive);
            out.add(new Queue(id, t.queueName(id), s));
        });
        return out;
    }

    /** @throws IllegalStateException naming the function's event and property the local stack cannot emulate */
    public static List<Mapping> mappings(SamTemplate t) {
        List<Mapping> out = new ArrayList<>();
        for (SamTemplate.Event e : t.events("SQS")) {
            String where = e.function() + " (its SQS event)";
            Map<String, Object> p = e.properties();
            for (String key : p.keySet()) {
                if (!EVENT_PROPERTIES.contains(key)) throw refused(where, key, "is not emulated by the local stack");
            }
            String queue = t.getAttTarget(p.get("Queue"));
            int batchSize = integer(t, where, "BatchSize", p.get("BatchSize"), 10, 1, 10_000);
            int window = integer(t, where, "MaximumBatchingWindowInSeconds", p.get("MaximumBatchingWindowInSeconds"), 0, 0, 300);
            if (batchSize > 10 && window == 0) {
                // Lambda's own validation: larger batches need a batching window
                throw refused(where, "BatchSize", batchSize + " needs MaximumBatchingWindowInSeconds of at least 1, as Lambda requires");
            }
            boolean reportsFailures = Refusals.reportsBatchItemFailures(t, where, p.get("FunctionResponseTypes"));
            List<EventPattern> filters = new ArrayList<>();
            Object fc = SamTemplate.map(p.getOrDefault("FilterCriteria", Map.of())).get("Filters");
            if (fc instanceof List<?> l) l.forEach(f -> filters.add(EventPattern.parse(String.valueOf(SamTemplate.map(f).get("Pattern")))));
            boolean enabled = !"false".equalsIgnoreCase(String.valueOf(t.resolve(p.getOrDefault("Enabled", "true"))));
            out.add(new Mapping(e.function(), queue, enabled,
                    new SqsEventSource.Settings(batchSize, window, reportsFailures, filters)));
        }
        return out;
    }

    /** Queue name to settings, for {@link io.herald.local.sqs.SqsQueues#create}. */
    public static Map<String, SqsQueue.Settings> byName(List<Queue> queues) {
        Map<String, SqsQueue.Settings> out = new LinkedHashMap<>();
        queues.forEach(q -> out.put(q.name(), q.settings()));
        return out;
    }
}
