package io.herald.local.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.local.gateway.HttpIo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The SQS JSON protocol (AWS JSON 1.0, {@code X-Amz-Target: AmazonSQS.<Operation>}), which the
 * current SDKs speak: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
 * ChangeMessageVisibility(Batch), GetQueueUrl, GetQueueAttributes, ListQueues, PurgeQueue. Queues
 * come from the template only: CreateQueue, DeleteQueue and SetQueueAttributes answer
 * UnsupportedOperation rather than changing what the template declares.
 */
public final class SqsEndpoint {
    private static final String PREFIX = "AmazonSQS.";
    private static final int MAX_REQUEST = 16 * 1024 * 1024;
    private static final int MAX_WAIT_SECONDS = 20;

    private final SqsQueues queues;

    public SqsEndpoint(SqsQueues queues) {
        this.queues = queues;
    }

    public boolean handles(Request request) {
        String target = request.getHeaders().get("X-Amz-Target");
        return "POST".equals(request.getMethod()) && target != null && target.startsWith(PREFIX);
    }

    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String operation = request.getHeaders().get("X-Amz-Target").substring(PREFIX.length());
        try {
            byte[] raw = HttpIo.body(request, MAX_REQUEST);
            if (raw.length > MAX_REQUEST) throw new SqsException(413, "RequestEntityTooLarge", "RequestEntityTooLarge", "Request too large");
            JsonNode body;
            try {
                body = Json.parse(new String(raw, StandardCharsets.UTF_8));
            } catch (Json.MalformedJsonException e) {
                throw new SqsException("SerializationException", "SerializationException", "Request body is not JSON");
            }
            return answer(response, callback, 200, Map.of(), Json.write(call(operation, body)));
        } catch (SqsException e) {
            String error = Json.write(Json.object().put("__type", "com.amazonaws.sqs#" + e.type()).put("message", e.getMessage()));
            return answer(response, callback, e.status(), Map.of("x-amzn-query-error", e.queryCode() + ";Sender"), error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return answer(response, callback, 500, Map.of("x-amzn-query-error", "InternalFailure;Receiver"),
                    "{\"__type\":\"com.amazonaws.sqs#InternalFailure\",\"message\":\"stopping\"}");
        }
    }

    private static boolean answer(Response response, Callback callback, int status, Map<String, String> headers, String body) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("x-amzn-RequestId", UUID.randomUUID().toString());
        return HttpIo.respond(response, callback, status, "application/x-amz-json-1.0", h, body.getBytes(StandardCharsets.UTF_8));
    }

    ObjectNode call(String operation, JsonNode in) throws InterruptedException {
        ObjectNode out = Json.object();
        switch (operation) {
            case "GetQueueUrl" -> out.put("QueueUrl", queues.byName(in.path("QueueName").asText())
                    .orElseThrow(SqsException::noQueue).url());
            case "ListQueues" -> {
                ArrayNode urls = out.putArray("QueueUrls");
                String prefix = in.path("QueueNamePrefix").asText("");
                queues.all().stream().filter(q -> q.name().startsWith(prefix)).forEach(q -> urls.add(q.url()));
            }
            case "SendMessage" -> sent(out, queue(in), in);
            case "SendMessageBatch" -> {
                SqsQueue q = queue(in);
                int total = 0;
                for (JsonNode e : in.path("Entries")) total += e.path("MessageBody").asText("").getBytes(StandardCharsets.UTF_8).length;
                if (total > q.settings().maximumMessageSize()) {
                    throw new SqsException("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
                            "Batch requests cannot be longer than " + q.settings().maximumMessageSize() + " bytes.");
                }
                batch(in, out, (e, ok) -> sent(ok, q, e));
            }
            case "ReceiveMessage" -> receive(out, queue(in), in);
            case "DeleteMessage" -> queue(in).delete(required(in, "ReceiptHandle"));
            case "DeleteMessageBatch" -> {
                SqsQueue q = queue(in);
                batch(in, out, (e, ok) -> q.delete(required(e, "ReceiptHandle")));
            }
            case "ChangeMessageVisibility" -> queue(in).changeVisibility(required(in, "ReceiptHandle"), visibility(in));
            case "ChangeMessageVisibilityBatch" -> {
                SqsQueue q = queue(in);
                batch(in, out, (e, ok) -> q.changeVisibility(required(e, "ReceiptHandle"), visibility(e)));
            }
            case "GetQueueAttributes" -> attributes(out, queue(in), in);
            case "PurgeQueue" -> queue(in).purge();
            default -> throw new SqsException("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
                    operation + " is not emulated: the local stack's queues are the template's");
        }
        return out;
    }

    private SqsQueue queue(JsonNode in) {
        return queues.byUrl(required(in, "QueueUrl")).orElseThrow(SqsException::noQueue);
    }

    private static String required(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new SqsException("MissingParameter", "MissingParameter", "The request must contain the parameter " + field + ".");
        }
        return v.asText();
    }

    private static int visibility(JsonNode in) {
        if (!in.path("VisibilityTimeout").canConvertToInt()) {
            throw new SqsException("MissingParameter", "MissingParameter", "The request must contain the parameter VisibilityTimeout.");
        }
        return in.get("VisibilityTimeout").asInt();
    }

    // ---------------------------------------------------------------- send

    private static void sent(ObjectNode out, SqsQueue q, JsonNode in) {
        Map<String, SqsQueue.Attribute> attributes = messageAttributes(in.path("MessageAttributes"));
        Integer delay = in.hasNonNull("DelaySeconds") ? in.get("DelaySeconds").asInt() : null;
        String body = in.path("MessageBody").isTextual() ? in.get("MessageBody").asText() : null;
        String id = q.send(body, delay, attributes);
        out.put("MessageId", id).put("MD5OfMessageBody", Md5.ofBody(body));
        String md5 = Md5.ofAttributes(attributes);
        if (md5 != null) out.put("MD5OfMessageAttributes", md5);
    }

    private static Map<String, SqsQueue.Attribute> messageAttributes(JsonNode in) {
        Map<String, SqsQueue.Attribute> out = new LinkedHashMap<>();
        in.fields().forEachRemaining(f -> {
            JsonNode a = f.getValue();
            String type = a.path("DataType").asText("");
            if (!(type.startsWith("String") || type.startsWith("Number") || type.startsWith("Binary"))) {
                throw SqsException.invalidParameter("The message attribute '" + f.getKey() + "' has an invalid message attribute type.");
            }
            if (type.startsWith("Binary")) {
                out.put(f.getKey(), new SqsQueue.Attribute(type, null, Base64.getDecoder().decode(a.path("BinaryValue").asText(""))));
            } else {
                if (!a.path("StringValue").isTextual()) {
                    throw SqsException.invalidParameter("The message attribute '" + f.getKey() + "' must contain a non-empty value.");
                }
                out.put(f.getKey(), new SqsQueue.Attribute(type, a.get("StringValue").asText(), null));
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- receive

    private static void receive(ObjectNode out, SqsQueue q, JsonNode in) throws InterruptedException {
        int max = in.path("MaxNumberOfMessages").asInt(1);
        if (max < 1 || max > 10) {
            throw SqsException.invalidParameter("Value " + max
                    + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        }
        int wait = in.hasNonNull("WaitTimeSeconds") ? in.get("WaitTimeSeconds").asInt() : q.settings().receiveMessageWaitTimeSeconds();
        if (wait < 0 || wait > MAX_WAIT_SECONDS) {
            throw SqsException.invalidParameter("Value " + wait
                    + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
        }
        int visibility = in.hasNonNull("VisibilityTimeout") ? in.get("VisibilityTimeout").asInt() : q.settings().visibilityTimeout();
        if (visibility < 0 || visibility > 43_200) {
            throw SqsException.invalidParameter("Value " + visibility
                    + " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.");
        }
        Set<String> system = names(in.path("AttributeNames"));
        system.addAll(names(in.path("MessageSystemAttributeNames")));
        Set<String> wanted = names(in.path("MessageAttributeNames"));
        List<SqsQueue.Delivery> got = q.receive(max, visibility, wait * 1000L);
        if (got.isEmpty()) return; // SQS leaves Messages out when there are none
        ArrayNode messages = out.putArray("Messages");
        for (SqsQueue.Delivery d : got) {
            ObjectNode m = messages.addObject().put("MessageId", d.messageId()).put("ReceiptHandle", d.receiptHandle())
                    .put("MD5OfBody", d.md5OfBody()).put("Body", d.body());
            Map<String, String> attrs = systemAttributes(d);
            attrs.keySet().removeIf(k -> !system.contains("All") && !system.contains(k));
            if (!attrs.isEmpty()) attrs.forEach(m.putObject("Attributes")::put);
            Map<String, SqsQueue.Attribute> selected = new LinkedHashMap<>();
            d.messageAttributes().forEach((k, v) -> {
                if (selects(wanted, k)) selected.put(k, v);
            });
            if (!selected.isEmpty()) {
                m.put("MD5OfMessageAttributes", Md5.ofAttributes(selected));
                ObjectNode ma = m.putObject("MessageAttributes");
                selected.forEach((k, v) -> {
                    ObjectNode a = ma.putObject(k).put("DataType", v.dataType());
                    if (v.binaryValue() != null) a.put("BinaryValue", Base64.getEncoder().encodeToString(v.binaryValue()));
                    else a.put("StringValue", v.stringValue());
                });
            }
        }
    }

    /** The system attributes of a standard queue's message, as SQS names them. */
    public static Map<String, String> systemAttributes(SqsQueue.Delivery d) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("SenderId", SqsQueues.ACCOUNT);
        a.put("SentTimestamp", String.valueOf(d.sentTimestamp()));
        a.put("ApproximateReceiveCount", String.valueOf(d.receiveCount()));
        a.put("ApproximateFirstReceiveTimestamp", String.valueOf(d.firstReceiveTimestamp()));
        return a;
    }

    private static boolean selects(Set<String> wanted, String name) {
        if (wanted.contains("All") || wanted.contains(".*") || wanted.contains(name)) return true;
        return wanted.stream().anyMatch(w -> w.endsWith(".*") && name.startsWith(w.substring(0, w.length() - 1)));
    }

    private static Set<String> names(JsonNode list) {
        Set<String> out = new HashSet<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ---------------------------------------------------------------- attributes

    private static final Set<String> QUEUE_ATTRIBUTES = Set.of("All", "Policy", "VisibilityTimeout", "MaximumMessageSize",
            "MessageRetentionPeriod", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
            "LastModifiedTimestamp", "QueueArn", "ApproximateNumberOfMessagesDelayed", "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "FifoQueue", "ContentBasedDeduplication", "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds", "DeduplicationScope", "FifoThroughputLimit", "RedriveAllowPolicy",
            "SqsManagedSseEnabled");

    private static void attributes(ObjectNode out, SqsQueue q, JsonNode in) {
        Set<String> wanted = names(in.path("AttributeNames"));
        for (String name : wanted) {
            if (!QUEUE_ATTRIBUTES.contains(name)) {
                throw new SqsException("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + name + ".");
            }
        }
        Map<String, String> all = q.attributes();
        all.keySet().removeIf(k -> !wanted.contains("All") && !wanted.contains(k));
        if (!all.isEmpty()) all.forEach(out.putObject("Attributes")::put);
    }

    // ---------------------------------------------------------------- batches

    /**
     * Runs {@code each} per entry: an entry's own error lands in Failed, the others go on. The
     * batch's shape (1 to 10 entries, distinct valid ids) is checked first, as SQS does.
     */
    private static void batch(JsonNode in, ObjectNode out, BiConsumer<JsonNode, ObjectNode> each) {
        JsonNode entries = in.path("Entries");
        if (!entries.isArray() || entries.isEmpty()) {
            throw new SqsException("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
                    "There should be at least one entry in the request.");
        }
        if (entries.size() > 10) {
            throw new SqsException("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    "Maximum number of entries per request are 10. You have sent " + entries.size() + ".");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode e : entries) {
            String id = e.path("Id").asText("");
            if (!id.matches("[A-Za-z0-9_-]{1,80}")) {
                throw new SqsException("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
                        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
            }
            if (ids.contains(id)) {
                throw new SqsException("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                        "Id " + id + " repeated.");
            }
            ids.add(id);
        }
        ArrayNode successful = out.putArray("Successful");
        ArrayNode failed = out.putArray("Failed");
        for (JsonNode e : entries) {
            ObjectNode ok = Json.object().put("Id", e.get("Id").asText());
            try {
                each.accept(e, ok);
                successful.add(ok);
            } catch (SqsException ex) {
                failed.addObject().put("Id", e.get("Id").asText()).put("SenderFault", true)
                        .put("Code", ex.queryCode().replace("AWS.SimpleQueueService.", "")).put("Message", ex.getMessage());
            }
        }
    }
}
