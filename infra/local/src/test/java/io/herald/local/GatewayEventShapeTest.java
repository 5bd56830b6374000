package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON the local stack hands a WebSocket integration is API Gateway's, field for field. */
class GatewayEventShapeTest {
    @TempDir
    Path dir;

    @Test
    void connect_message_and_disconnect_events_should_carry_api_gateways_fields() throws Exception {
        String yaml = Files.readString(Path.of("template.yaml"))
                .replace("io.herald.functions.ConnectHandler::handleRequest", "io.herald.local.CapturingHandler::handleRequest")
                .replace("io.herald.functions.MessageHandler::handleRequest", "io.herald.local.CapturingHandler::handleRequest")
                .replace("io.herald.functions.DisconnectHandler::handleRequest", "io.herald.local.CapturingHandler::handleRequest");
        Path t = dir.resolve("template.yaml");
        Files.writeString(t, yaml);
        CapturingHandler.EVENTS.clear();
        try (LocalStack s = new LocalStack(LocalOptions.defaults().withPort(0).withTemplate(t)).start()) {
            WsClient c = WsClient.connect(s.webSocketUrl() + "?token=abc&eventId=123");
            c.send("{\"type\":\"ping\"}");
            LocalStackEndToEndTest.waitUntil(() -> CapturingHandler.EVENTS.size() >= 2);
            c.close();
            c.awaitClose();
            LocalStackEndToEndTest.waitUntil(() -> CapturingHandler.EVENTS.size() >= 3);
        }
        List<JsonNode> events = CapturingHandler.EVENTS;
        JsonNode connect = events.get(0), message = events.get(1), disconnect = events.get(2);

        String[] common = {"routeKey", "eventType", "extendedRequestId", "requestTime", "messageDirection", "stage",
            "connectedAt", "requestTimeEpoch", "identity", "requestId", "domainName", "connectionId", "apiId"};
        for (JsonNode e : events) {
            for (String f : common) assertTrue(e.path("requestContext").has(f), f + " missing in " + e);
            assertTrue(e.path("requestContext").path("identity").has("sourceIp"));
            assertTrue(e.path("requestContext").path("identity").has("userAgent"));
            assertFalse(e.path("isBase64Encoded").asBoolean(true));
        }
        assertEquals("$connect", connect.at("/requestContext/routeKey").asText());
        assertEquals("CONNECT", connect.at("/requestContext/eventType").asText());
        assertEquals("abc", connect.at("/queryStringParameters/token").asText());
        assertEquals("123", connect.at("/multiValueQueryStringParameters/eventId/0").asText());
        assertTrue(connect.path("headers").has("Sec-WebSocket-Key"));
        assertEquals("ws", connect.at("/requestContext/stage").asText());

        assertEquals("$default", message.at("/requestContext/routeKey").asText());
        assertEquals("MESSAGE", message.at("/requestContext/eventType").asText());
        assertTrue(message.path("requestContext").has("messageId"));
        assertEquals("{\"type\":\"ping\"}", message.path("body").asText());
        String id = connect.at("/requestContext/connectionId").asText();
        assertEquals(id, message.at("/requestContext/connectionId").asText());
        assertEquals(connect.at("/requestContext/connectedAt").asLong(), message.at("/requestContext/connectedAt").asLong());

        assertEquals("$disconnect", disconnect.at("/requestContext/routeKey").asText());
        assertEquals("DISCONNECT", disconnect.at("/requestContext/eventType").asText());
        assertEquals(1000, disconnect.at("/requestContext/disconnectStatusCode").asInt());
        assertTrue(disconnect.path("requestContext").has("disconnectReason"));

        assertEquals(410, CapturingHandler.postDuringConnectStatus, "API Gateway answers 410 to a post during $connect");
    }
}
