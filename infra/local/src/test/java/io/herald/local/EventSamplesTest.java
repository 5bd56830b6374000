package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.local.lambda.LocalFunction;
import io.herald.local.template.SamTemplate;
import io.herald.local.template.Tables;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every sample in events/ goes to the function template.yaml names for it, built as the local
 * stack builds it, against the embedded DynamoDB engine and a recording Management API. A sample
 * without an expectation here fails the test, so the samples cannot rot.
 */
class EventSamplesTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static RecordingManagementApi api;
    static Map<String, LocalFunction> functions;
    static final Set<String> used = new TreeSet<>();

    @BeforeAll
    static void wire() throws Exception {
        api = new RecordingManagementApi();
        SamTemplate template = SamTemplate.load(Path.of("template.yaml"), Map.of());
        Tables.create(ddb.client(), template.tables());
        functions = new HashMap<>();
        for (SamTemplate.Function f : template.functions()) {
            Map<String, String> env = new HashMap<>(f.environment());
            env.putAll(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x", "AWS_SECRET_ACCESS_KEY", "y",
                    "AWS_ENDPOINT_URL_DYNAMODB", ddb.endpoint(), "HERALD_CONNECTIONS_URL", api.endpoint(),
                    // no SQS here: the worker's backoff call (best-effort) meets an endpoint that refuses it
                    "AWS_ENDPOINT_URL_SQS", api.endpoint(),
                    "HERALD_JWT_SECRET", LocalOptions.DEFAULT_SECRET, "HERALD_ALLOW_DEVELOPMENT_SECRET", "true"));
            env.put("HERALD_CHAT_TASKS_QUEUE_URL", ""); // no SQS endpoint here: these samples run the handlers alone
            env.put("HERALD_CHAT_TASKS_IN_PROCESS", "true");
            functions.put(f.logicalId(), new LocalFunction(f.logicalId(), f.handlerClass(), env));
        }
    }

    @AfterAll
    static void close() {
        api.close();
    }

    static JsonNode invoke(String function, String sample) throws Exception {
        used.add(sample);
        byte[] event = Files.readAllBytes(Path.of("events", sample));
        return Json.parse(new String(functions.get(function).invoke(event), StandardCharsets.UTF_8));
    }

    static JsonNode lastTo(String connectionId) {
        List<String> frames = api.to(connectionId);
        assertFalse(frames.isEmpty(), "nothing was posted to " + connectionId);
        return Json.parse(frames.get(frames.size() - 1));
    }

    static boolean stored(String connectionId) {
        return !ddb.client().getItem(b -> b.tableName("ConnectionsTable")
                .key(Map.of("connectionId", AttributeValue.fromS(connectionId)))).item().isEmpty();
    }

    @Test
    void every_sample_event_should_work_with_its_function() throws Exception {
        // $connect, each way a token can come
        assertEquals(200, invoke("ConnectFunction", "connect-token-query.json").get("statusCode").asInt());
        assertEquals(200, invoke("ConnectFunction", "connect-token-header.json").get("statusCode").asInt());
        assertEquals(200, invoke("ConnectFunction", "connect-no-token.json").get("statusCode").asInt());
        JsonNode refused = invoke("ConnectFunction", "connect-bad-token.json");
        assertEquals(401, refused.get("statusCode").asInt());
        assertFalse(stored("sample-conn-4"));
        assertEquals(200, invoke("ConnectFunction", "connect-booking-event.json").get("statusCode").asInt());
        JsonNode sub = invoke("ConnectFunction", "connect-subprotocol.json");
        assertEquals("raffle", sub.get("headers").get("Sec-WebSocket-Protocol").asText());
        assertTrue(stored("sample-conn-1") && stored("sample-conn-2") && stored("sample-conn-3"));

        // topics profile
        invoke("MessageFunction", "message-topics-auth.json");
        assertEquals("auth_success", lastTo("sample-conn-1").get("type").asText());
        invoke("MessageFunction", "message-topics-subscribe.json");
        assertEquals("subscribed", lastTo("sample-conn-1").get("type").asText());
        invoke("MessageFunction", "message-topics-publish.json");
        assertEquals("Hello, World!", lastTo("sample-conn-1").get("data").get("content").asText());
        invoke("MessageFunction", "message-topics-ping.json");
        assertEquals("pong", lastTo("sample-conn-1").get("type").asText());
        assertEquals(200, invoke("MessageFunction", "message-topics-malformed.json").get("statusCode").asInt());
        assertEquals(400, lastTo("sample-conn-1").get("code").asInt());
        invoke("MessageFunction", "message-topics-unsubscribe.json");
        assertEquals("unsubscribed", lastTo("sample-conn-1").get("type").asText());

        // raffle profile, then a domain event from EventBridge (twice: the redelivery is suppressed)
        invoke("MessageFunction", "message-raffle-auth.json");
        invoke("MessageFunction", "message-raffle-subscribe.json");
        invoke("MessageFunction", "message-raffle-ping.json");
        assertEquals("pong", lastTo("sample-conn-3").get("message_type").asText());
        JsonNode eb = invoke("PublishFunction", "publish-eventbridge.json");
        assertEquals(1, eb.get("delivered").asInt(), eb.toString());
        assertEquals("box_purchased", lastTo("sample-conn-3").get("message_type").asText());
        assertTrue(invoke("PublishFunction", "publish-eventbridge.json").get("duplicate").asBoolean());

        // booking profile and an SQS batch with one bad record
        invoke("MessageFunction", "message-booking-subscribe.json");
        assertEquals("subscribed", lastTo("sample-conn-5").get("type").asText());
        invoke("MessageFunction", "message-booking-stats.json");
        assertEquals("stats", lastTo("sample-conn-5").get("type").asText());
        JsonNode batch = invoke("PublishFunction", "publish-sqs-batch.json");
        assertEquals(1, batch.get("batchItemFailures").size());
        assertEquals("2e1424d4-f796-459a-8184-9c92662be6da", batch.get("batchItemFailures").get(0).get("itemIdentifier").asText());
        assertEquals(45, lastTo("sample-conn-5").get("availableSeats").asInt());
        invoke("MessageFunction", "message-booking-unsubscribe.json");
        assertEquals("unsubscribed", lastTo("sample-conn-5").get("type").asText());
        invoke("MessageFunction", "message-booking-ping.json");
        assertEquals("pong", lastTo("sample-conn-5").get("type").asText());
        invoke("LifecycleFunction", "lifecycle-insert.json");
        assertEquals("connection_established", lastTo("sample-conn-5").get("type").asText());

        // notify profile and a direct invocation
        invoke("MessageFunction", "message-notify-ping.json");
        assertEquals("ok", lastTo("sample-conn-2").get("data").get("status").asText());
        JsonNode direct = invoke("PublishFunction", "publish-direct.json");
        assertEquals(1, direct.get("delivered").asInt(), direct.toString());
        JsonNode n = lastTo("sample-conn-2");
        assertEquals("notification", n.get("type").asText());
        assertEquals("match_created", n.get("data").get("notification_type").asText());

        // HTTP API
        JsonNode published = invoke("HttpApiFunction", "http-publish.json");
        assertEquals(200, published.get("statusCode").asInt(), published.toString());
        assertEquals(401, invoke("HttpApiFunction", "http-publish-unauthorized.json").get("statusCode").asInt());
        JsonNode stats = invoke("HttpApiFunction", "http-stats.json");
        assertTrue(Json.parse(stats.get("body").asText()).get("connections").asInt() >= 4);
        JsonNode health = invoke("HttpApiFunction", "http-health.json");
        assertTrue(Json.parse(health.get("body").asText()).has("ws_connections"));

        // chat: a backend declares the conversation, a member connects, sends, types; the typing
        // task comes due (a start at epoch 0 was never stored: nothing to clear); the member reads history
        JsonNode put = invoke("HttpApiFunction", "http-conversation-put.json");
        assertEquals(200, put.get("statusCode").asInt(), put.toString());
        assertEquals(200, invoke("ConnectFunction", "connect-chat.json").get("statusCode").asInt());
        invoke("MessageFunction", "message-chat-send.json");
        JsonNode ack = lastTo("sample-conn-chat");
        assertEquals("message:new", ack.get("event").asText(), ack.toString());
        assertEquals("Hey! How are you?", ack.get("data").get("message").get("content").asText());
        int before = api.to("sample-conn-chat").size();
        invoke("MessageFunction", "message-chat-typing.json");
        assertEquals(before, api.to("sample-conn-chat").size(), "never back to the typist");
        assertEquals(0, invoke("ChatTasksFunction", "chat-task-typing-expire.json").get("batchItemFailures").size());
        // a chat connection of the other member expired by TTL (never got $disconnect): its disconnected hook runs
        assertEquals(1, invoke("LifecycleFunction", "lifecycle-ttl-remove.json").get("handled").asInt());
        JsonNode history = invoke("HttpApiFunction", "http-conversation-messages.json");
        assertEquals(200, history.get("statusCode").asInt(), history.toString());
        assertEquals(1, Json.parse(history.get("body").asText()).get("messages").size());
        // a tree fan-out worker's batch: a batch task posted, an unknown task reported as the batch's failure
        JsonNode fanOut = invoke("FanOutFunction", "fanout-sqs-batch.json");
        assertEquals(1, fanOut.get("batchItemFailures").size(), fanOut.toString());
        assertEquals("7e4f2f0a-8c43-4a77-9f7e-2a5e3b1c9d02", fanOut.get("batchItemFailures").get(0).get("itemIdentifier").asText());
        assertEquals("u7", lastTo("sample-conn-1").get("data").get("winner").asText());

        // $disconnect
        assertEquals(200, invoke("DisconnectFunction", "disconnect.json").get("statusCode").asInt());
        assertFalse(stored("sample-conn-3"));

        try (Stream<Path> files = Files.list(Path.of("events"))) {
            Set<String> all = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(all, used, "every sample in events/ needs an expectation in this test");
        }
    }
}
