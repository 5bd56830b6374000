package io.herald.local.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.concurrent.DaemonThreads;
import io.herald.core.json.Json;
import io.herald.local.gateway.HttpIo;
import io.herald.local.lambda.LocalFunction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * EventBridge's PutEvents (AWS JSON 1.1, X-Amz-Target: AWSEvents.PutEvents), so the SDK's
 * EventBridgeClient works with an endpoint override. Entries matching a template rule invoke its
 * function asynchronously with the event JSON EventBridge delivers; others are accepted and dropped.
 */
public final class EventBridgeIntake {
    public record Rule(String bus, EventPattern pattern, LocalFunction target) {}

    private final List<Rule> rules;
    private final ExecutorService async = Executors.newCachedThreadPool(DaemonThreads.named("herald-eventbridge"));

    public EventBridgeIntake(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean handles(Request request) {
        String target = request.getHeaders().get("X-Amz-Target");
        return "POST".equals(request.getMethod()) && target != null && target.startsWith("AWSEvents.");
    }

    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String target = request.getHeaders().get("X-Amz-Target");
        if (!"AWSEvents.PutEvents".equals(target)) {
            return error(response, callback, "UnknownOperationException", "Only PutEvents is emulated, not " + target);
        }
        JsonNode body;
        try {
            body = Json.parse(new String(HttpIo.body(request, 1024 * 1024), StandardCharsets.UTF_8));
        } catch (Json.MalformedJsonException e) {
            return error(response, callback, "SerializationException", "Request body is not JSON");
        }
        JsonNode entries = body.path("Entries");
        if (!entries.isArray() || entries.isEmpty() || entries.size() > 10) {
            return error(response, callback, "ValidationException", "Entries must hold 1 to 10 entries");
        }
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("Entries");
        int failed = 0;
        for (JsonNode entry : entries) {
            ObjectNode r = results.addObject();
            String problem = problem(entry);
            if (problem != null) {
                failed++;
                r.put("ErrorCode", problem.startsWith("Detail") ? "MalformedDetail" : "InvalidArgument").put("ErrorMessage", problem);
                continue;
            }
            ObjectNode event = toEvent(entry);
            r.put("EventId", event.get("id").asText());
            String bus = entry.path("EventBusName").asText("default");
            for (Rule rule : rules) {
                if (busName(rule.bus).equals(busName(bus)) && rule.pattern.matches(event)) {
                    byte[] payload = Json.write(event).getBytes(StandardCharsets.UTF_8);
                    async.submit(() -> invoke(rule.target, payload));
                }
            }
        }
        out.put("FailedEntryCount", failed);
        return HttpIo.respond(response, callback, 200, "application/x-amz-json-1.1", java.util.Map.of(),
                Json.write(out).getBytes(StandardCharsets.UTF_8));
    }

    private static String problem(JsonNode entry) {
        if (!entry.path("Source").isTextual() || entry.path("Source").asText().isBlank()) return "Parameter Source is not valid.";
        if (!entry.path("DetailType").isTextual() || entry.path("DetailType").asText().isBlank()) {
            return "Parameter DetailType is not valid.";
        }
        if (!entry.path("Detail").isTextual()) return "Detail is malformed.";
        try {
            if (!Json.parse(entry.get("Detail").asText()).isObject()) return "Detail is malformed.";
        } catch (Json.MalformedJsonException e) {
            return "Detail is malformed.";
        }
        return null;
    }

    private static ObjectNode toEvent(JsonNode entry) {
        ObjectNode e = Json.object();
        e.put("version", "0").put("id", UUID.randomUUID().toString()).put("detail-type", entry.get("DetailType").asText())
                .put("source", entry.get("Source").asText()).put("account", "000000000000")
                .put("time", entry.hasNonNull("Time") ? DateTimeFormatter.ISO_INSTANT.format(
                        Instant.ofEpochMilli((long) (entry.get("Time").asDouble() * 1000))) : DateTimeFormatter.ISO_INSTANT.format(
                        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
                .put("region", "us-east-1");
        ArrayNode res = e.putArray("resources");
        entry.path("Resources").forEach(res::add);
        e.set("detail", Json.parse(entry.get("Detail").asText()));
        return e;
    }

    private static String busName(String nameOrArn) {
        int slash = nameOrArn.lastIndexOf('/');
        return slash >= 0 ? nameOrArn.substring(slash + 1) : nameOrArn;
    }

    private static void invoke(LocalFunction f, byte[] event) {
        try {
            f.invoke(event);
        } catch (RuntimeException e) {
            // on AWS: retried, then the DLQ; locally it is reported
            System.err.println("[herald-local] " + f.name() + " failed on an EventBridge event: " + e);
        }
    }

    private static boolean error(Response response, Callback callback, String type, String message) {
        return HttpIo.respond(response, callback, 400, "application/x-amz-json-1.1", java.util.Map.of(),
                Json.write(Json.object().put("__type", type).put("message", message)).getBytes(StandardCharsets.UTF_8));
    }

    public void shutdown() {
        async.shutdown();
        try {
            async.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
