package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The aws-lambda-java-events variants answer as the stream handlers do, with the event JSON turned
 * into the typed classes by the runtime's serializer (aws-lambda-java-serialization), as on Lambda.
 */
class TypedHandlersTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    Services herald;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        herald = Herald.fromEnv(Lambda.env(ddb, ddb.createTables(), api));
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    static JsonNode invoke(Object handler, String event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TypedInvoke.invoke(handler, new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out);
        return Json.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void typed_connect_should_echo_the_subprotocol_and_store_the_connection_as_the_stream_handler_does() {
        ObjectNode e = WebSocketHandlersTest.event("CONNECT", "t1");
        e.putObject("headers").put("SEC-WEBSOCKET-PROTOCOL", "raffle");
        e.putObject("queryStringParameters").put("token", Tokens.forUser("u1"));

        JsonNode r = invoke(new TypedConnectHandler(herald), Json.write(e));

        assertEquals(200, r.get("statusCode").asInt(), r.toString());
        assertEquals("raffle", r.get("headers").get("Sec-WebSocket-Protocol").asText());
        assertTrue(r.path("body").isMissingNode() || r.get("body").isNull(), r.toString());
        assertEquals("raffle", herald.registry.connections().get("t1", Instant.now()).orElseThrow().profile());
        assertEquals("203.0.113.10", herald.registry.connections().get("t1", Instant.now()).orElseThrow().sourceIp());
    }

    @Test
    void typed_connect_with_a_bad_token_should_answer_401_with_a_reason_and_store_nothing() {
        ObjectNode e = WebSocketHandlersTest.event("CONNECT", "t2");
        e.putObject("queryStringParameters").put("token", "not-a-jwt");

        JsonNode typed = invoke(new TypedConnectHandler(herald), Json.write(e));
        JsonNode stream = Lambda.invoke(new ConnectHandler(herald), Json.write(e));

        assertEquals(401, typed.get("statusCode").asInt());
        assertEquals(stream.get("body").asText(), typed.get("body").asText());
        assertFalse(herald.registry.connections().get("t2", Instant.now()).isPresent());
    }

    @Test
    void typed_sqs_publish_should_report_exactly_the_bad_records_and_deduplicate_by_message_id() {
        Services publishing = Herald.fromEnv(Lambda.baseEnv(ddb, ddb.createTables(), api), Herald.Tokens.UNUSED);
        ObjectNode batch = Json.object();
        ArrayNode records = batch.putArray("Records");
        records.addObject().put("messageId", "m-good").put("body", "{\"type\":\"t\",\"topics\":[\"a.b\"],\"data\":{}}")
                .put("eventSource", "aws:sqs");
        records.addObject().put("messageId", "m-not-json").put("body", "{oops");
        records.addObject().put("messageId", "m-eventbridge")
                .put("body", Json.write(PublishHandlerTest.eventBridge("eb-9", "{\"topics\":[\"a.b\"],\"data\":{}}")));
        records.addObject().put("messageId", "m-no-type").put("body", "{\"topics\":[\"a.b\"],\"data\":{}}");

        JsonNode r = invoke(new TypedSqsPublishHandler(publishing), Json.write(batch));

        ArrayNode failures = (ArrayNode) r.get("batchItemFailures");
        assertEquals(2, failures.size(), r.toString());
        assertEquals("m-not-json", failures.get(0).get("itemIdentifier").asText());
        assertEquals("m-no-type", failures.get(1).get("itemIdentifier").asText());
        // the message id became the publication id: a direct publication with it is a duplicate
        assertTrue(Lambda.invoke(new PublishHandler(publishing), "{\"id\":\"sqs:m-good\",\"type\":\"t\",\"topics\":[\"a.b\"],\"data\":{}}")
                .get("duplicate").asBoolean());
    }

    @Test
    void the_repository_s_sqs_sample_should_give_the_same_answer_typed_and_raw() {
        Services publishing = Herald.fromEnv(Lambda.baseEnv(ddb, ddb.createTables(), api), Herald.Tokens.UNUSED);
        String sample = Lambda.sample("publish-sqs-batch.json");
        JsonNode typed = invoke(new TypedSqsPublishHandler(publishing), sample);
        assertEquals("2e1424d4-f796-459a-8184-9c92662be6da", typed.get("batchItemFailures").get(0).get("itemIdentifier").asText());
        assertEquals(Lambda.invoke(new PublishHandler(publishing), sample).get("batchItemFailures"), typed.get("batchItemFailures"));
    }
}
