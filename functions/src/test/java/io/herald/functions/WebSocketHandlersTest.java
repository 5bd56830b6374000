package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** $connect, $default and $disconnect: what each handler reads from API Gateway's proxy event and what it answers. */
class WebSocketHandlersTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    Services herald;
    ConnectHandler connect;
    MessageHandler message;
    DisconnectHandler disconnect;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        Map<String, String> env = Lambda.env(ddb, ddb.createTables(), api);
        herald = Herald.fromEnv(env);
        connect = new ConnectHandler(herald);
        message = new MessageHandler(herald);
        disconnect = new DisconnectHandler(Herald.fromEnv(env, Herald.Tokens.UNUSED));
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    static ObjectNode event(String eventType, String connectionId) {
        ObjectNode e = Json.object();
        ObjectNode ctx = e.putObject("requestContext").put("eventType", eventType).put("connectionId", connectionId)
                .put("routeKey", "$" + eventType.toLowerCase());
        ctx.putObject("identity").put("sourceIp", "203.0.113.10").put("userAgent", "test");
        return e;
    }

    private boolean stored(String id) {
        return herald.registry.connections().get(id, Instant.now()).isPresent();
    }

    @Test
    void connect_should_echo_the_chosen_subprotocol_and_store_the_connection() {
        ObjectNode e = event("CONNECT", "c1");
        // header names vary in case between clients; API Gateway passes them as sent
        e.putObject("headers").put("SEC-WEBSOCKET-PROTOCOL", "raffle");
        e.putObject("queryStringParameters").put("token", Tokens.forUser("u1"));

        JsonNode r = Lambda.invoke(connect, Json.write(e));

        assertEquals(200, r.get("statusCode").asInt());
        assertEquals("raffle", r.get("headers").get("Sec-WebSocket-Protocol").asText());
        assertFalse(r.has("body"));
        assertTrue(stored("c1"));
        assertEquals("raffle", herald.registry.connections().get("c1", Instant.now()).orElseThrow().profile());
    }

    @Test
    void connect_with_a_bad_token_should_answer_401_with_a_reason_and_store_nothing() {
        ObjectNode e = event("CONNECT", "c2");
        e.putObject("queryStringParameters").put("token", "not-a-jwt");

        JsonNode r = Lambda.invoke(connect, Json.write(e));

        assertEquals(401, r.get("statusCode").asInt());
        assertFalse(r.get("body").asText().isBlank());
        assertFalse(r.has("headers"), "no subprotocol on a refused handshake");
        assertFalse(stored("c2"));
    }

    @Test
    void a_base64_encoded_frame_should_be_decoded_before_the_profile_reads_it() {
        Lambda.invoke(connect, Json.write(event("CONNECT", "c3")));
        ObjectNode m = event("MESSAGE", "c3");
        m.put("isBase64Encoded", true)
                .put("body", Base64.getEncoder().encodeToString("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8)));

        JsonNode r = Lambda.invoke(message, Json.write(m));

        assertEquals(200, r.get("statusCode").asInt());
        assertEquals("pong", Json.parse(api.to("c3").get(api.to("c3").size() - 1)).get("type").asText());
    }

    @Test
    void malformed_json_should_get_the_profile_s_error_frame_and_a_200_not_a_function_error() {
        Lambda.invoke(connect, Json.write(event("CONNECT", "c4")));
        ObjectNode m = event("MESSAGE", "c4").put("body", "{not json");

        assertEquals(200, Lambda.invoke(message, Json.write(m)).get("statusCode").asInt());
        assertEquals(400, Json.parse(api.to("c4").get(0)).get("code").asInt());
        assertTrue(stored("c4"), "the connection stays");
    }

    @Test
    void disconnect_should_forget_the_connection_and_answer_200_also_when_it_is_already_gone() {
        Lambda.invoke(connect, Json.write(event("CONNECT", "c5")));
        assertTrue(stored("c5"));

        assertEquals(200, Lambda.invoke(disconnect, Json.write(event("DISCONNECT", "c5"))).get("statusCode").asInt());
        assertFalse(stored("c5"));
        assertEquals(200, Lambda.invoke(disconnect, Json.write(event("DISCONNECT", "c5"))).get("statusCode").asInt(),
                "$disconnect may arrive twice, or after a 410 removed it");
    }
}
