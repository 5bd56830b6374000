package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GetConnectionResponse;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.PayloadTooLargeException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/** The local stack from template.yaml, driven by a real WebSocket client and the real AWS SDK clients. */
class LocalStackEndToEndTest {
    static LocalStack stack;
    static EventBridgeClient events;
    static ApiGatewayManagementApiClient management;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(LocalOptions.defaults().withPort(0)).start();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        events = EventBridgeClient.builder().endpointOverride(URI.create(stack.httpUrl())).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
        management = ApiGatewayManagementApiClient.builder().endpointOverride(URI.create(stack.managementEndpoint()))
                .region(Region.US_EAST_1).credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        int streamErrors = stack.streamErrors();
        events.close();
        management.close();
        stack.close();
        assertEquals(0, streamErrors, "the stream poller had to resume after errors (see its [herald-local] lines)");
    }

    static WsClient subscribed(String user, String topic) throws Exception {
        WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token(user));
        c.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        assertEquals("subscribed", c.next().get("type").asText());
        return c;
    }

    static HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.httpUrl() + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String connectionIdOf(WsClient c) throws Exception {
        // the topics profile shows the sender's connection id in metadata: publish to oneself
        c.send("{\"type\":\"subscribe\",\"topic\":\"messages.channel.whoami\"}");
        c.nextOfType("type", "subscribed");
        c.send("{\"type\":\"message\",\"topic\":\"messages.channel.whoami\",\"data\":{}}");
        return c.nextOfType("type", "message").get("metadata").get("senderConnectionId").asText();
    }

    @Test
    void a_subscriber_should_receive_an_eventbridge_event_sent_with_the_sdk() throws Exception {
        try (WsClient c = subscribed("alice", "raffles.r-42")) {
            PutEventsResponse r = events.putEvents(b -> b.entries(e -> e.source("raffles").detailType("box_purchased")
                    .detail("{\"data\":{\"raffle_id\":\"r-42\",\"box_number\":7}}")));
            assertEquals(0, r.failedEntryCount());
            JsonNode m = c.nextOfType("type", "message");
            assertEquals("raffles.r-42", m.get("topic").asText());
            assertEquals("box_purchased", m.get("eventType").asText());
            assertEquals(7, m.get("data").get("box_number").asInt());
        }
    }

    @Test
    void eventbridge_should_report_malformed_entries_like_aws() {
        PutEventsResponse r = events.putEvents(b -> b.entries(e -> e.source("x").detailType("t").detail("not json")));
        assertEquals(1, r.failedEntryCount());
        assertEquals("MalformedDetail", r.entries().get(0).errorCode());
    }

    @Test
    void a_subscriber_should_receive_a_publication_from_the_http_api() throws Exception {
        try (WsClient c = subscribed("bob", "messages.**")) {
            HttpResponse<String> r = post("/publish",
                    "{\"type\":\"message.sent\",\"data\":{\"userId\":\"carol\",\"channelId\":\"general\",\"content\":\"Hi\"}}",
                    stack.demoToken());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(1, Json.parse(r.body()).get("delivered").asInt());
            JsonNode m = c.nextOfType("type", "message");
            assertEquals("message.sent", m.get("eventType").asText());
            assertEquals("Hi", m.get("data").get("content").asText());
        }
    }

    @Test
    void the_http_publish_api_should_refuse_bad_requests_clearly() throws Exception {
        assertEquals(401, post("/publish", "{}", null).statusCode());
        assertEquals(401, post("/publish", "{}", "garbage").statusCode());
        String noScope = com.auth0.jwt.JWT.create().withSubject("u").withExpiresAt(java.time.Instant.now().plusSeconds(60))
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(LocalOptions.DEFAULT_SECRET));
        HttpResponse<String> forbidden = post("/publish", "{}", noScope);
        assertEquals(403, forbidden.statusCode());
        assertTrue(forbidden.body().contains("herald:publish"));
        HttpResponse<String> bad = post("/publish", "{not json", stack.demoToken());
        assertEquals(400, bad.statusCode());
        assertTrue(Json.parse(bad.body()).get("message").asText().contains("JSON"));
        assertEquals(400, post("/publish", "{\"type\":\"x\"}", stack.demoToken()).statusCode());
        HttpResponse<String> big = post("/publish", "{\"type\":\"x\",\"topics\":[\"a\"],\"data\":{\"b\":\""
                + "x".repeat(140_000) + "\"}}", stack.demoToken());
        assertEquals(413, big.statusCode());
    }

    @Test
    void a_bad_token_should_fail_the_handshake_with_401() throws Exception {
        assertEquals(401, WsClient.refusedStatus(stack.webSocketUrl() + "?token=not-a-jwt"));
        assertEquals(401, WsClient.refusedStatus(stack.webSocketUrl() + "?protocol=booking"));
        assertEquals(400, WsClient.refusedStatus(stack.webSocketUrl() + "?protocol=klingon"));
    }

    @Test
    void the_management_api_should_work_with_the_sdk_client() throws Exception {
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("dora"))) {
            String id = connectionIdOf(c);
            GetConnectionResponse info = management.getConnection(b -> b.connectionId(id));
            assertEquals("127.0.0.1", info.identity().sourceIp());
            assertTrue(info.connectedAt() != null && info.lastActiveAt() != null);

            management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"hello\":1}")));
            assertEquals(1, c.next(n -> n.has("hello")).get("hello").asInt());

            byte[] big = new byte[128 * 1024 + 1];
            java.util.Arrays.fill(big, (byte) 'x');
            assertThrows(PayloadTooLargeException.class,
                    () -> management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromByteArray(big))));

            management.deleteConnection(b -> b.connectionId(id));
            c.awaitClose();
            assertThrows(GoneException.class, () -> management.getConnection(b -> b.connectionId(id)));
            assertThrows(GoneException.class,
                    () -> management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("x"))));
            // $disconnect ran: the stored connection is gone
            waitUntil(() -> stack.dynamo().getItem(b -> b.tableName("ConnectionsTable")
                    .key(Map.of("connectionId", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(id))))
                    .item().isEmpty());
        }
        assertThrows(GoneException.class, () -> management.getConnection(b -> b.connectionId("nope")));
    }

    @Test
    void ids_the_sdk_percent_encodes_should_reach_the_management_api_regression() {
        // Jetty refused "%2F" with 400 and replies to such connections were silently lost
        assertThrows(GoneException.class, () -> management.getConnection(b -> b.connectionId("ab/cd+ef=")));
        assertThrows(GoneException.class,
                () -> management.postToConnection(b -> b.connectionId("x/y=").data(SdkBytes.fromUtf8String("{}"))));
    }

    @Test
    void frames_over_32_kb_should_close_with_1009() throws Exception {
        try (RawSocket raw = new RawSocket(stack.webSocketUrl())) {
            raw.sendTextFrame("x".repeat(32 * 1024 + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(1009, raw.awaitCloseCode());
        }
        try (RawSocket raw = new RawSocket(stack.webSocketUrl())) {
            // exactly 32 KB is allowed: the socket stays open and the frame reaches $default
            raw.sendTextFrame("{\"type\":\"ping\",\"pad\":\"".concat("p".repeat(32 * 1024 - 25)).concat("\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("pong", Json.parse(raw.nextText()).get("type").asText());
        }
    }

    @Test
    void messages_over_128_kb_should_close_with_1009_even_in_small_frames() throws Exception {
        WsClient c = WsClient.connect(stack.webSocketUrl());
        String part = "y".repeat(30 * 1024);
        for (int i = 0; i < 5; i++) c.socket.sendText(part, false).join();
        c.socket.sendText("y", true);
        assertEquals(1009, c.awaitClose());
    }

    @Test
    void the_subprotocol_should_be_echoed_only_when_connect_returns_it() throws Exception {
        try (WsClient c = WsClient.connect(stack.webSocketUrl(), "raffle")) {
            assertEquals("raffle", c.socket.getSubprotocol());
            c.send("{\"message_type\":\"ping\",\"data\":{}}");
            assertEquals("pong", c.next().get("message_type").asText());
        }
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?protocol=raffle")) {
            assertEquals("", c.socket.getSubprotocol());
        }
    }

    @Test
    void the_booking_welcome_should_arrive_after_connect_through_the_stream() throws Exception {
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?protocol=booking&eventId=123&token=" + stack.token("eve"))) {
            JsonNode w = c.next();
            assertEquals("connection_established", w.get("type").asText());
            assertEquals(123, w.get("eventId").asInt());
            assertTrue(w.get("eventId").isIntegralNumber());
            assertTrue(w.get("clientId").asText().length() > 8);
        }
    }

    @Test
    void health_should_count_open_connections() throws Exception {
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("fay"))) {
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, h.statusCode());
            assertTrue(Json.parse(h.body()).get("ws_connections").asInt() >= 1);
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }

    @Test
    void a_404_should_keep_the_connection_for_the_clients_next_request() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", stack.port())) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write("POST /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n".getBytes());
            out.flush();
            Thread.sleep(200); // the body comes after the stack has routed the request
            out.write("0123456789".getBytes());
            out.flush();
            assertEquals("HTTP/1.1 404 Not Found", in.readLine());
            skipAnswer(in);
            out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes());
            out.flush();
            assertEquals("HTTP/1.1 200 OK", in.readLine(), "the same connection serves the next request");
        }
    }

    @Test
    void a_port_in_use_should_be_refused_naming_it_and_leave_nothing_running() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> new LocalStack(LocalOptions.defaults().withPort(p)).start());
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + p + " ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("--port 0 takes any free port"), e.getMessage());
        }
    }

    /** Drops the rest of an answer: its head, and a Content-Length body. */
    static void skipAnswer(java.io.BufferedReader in) throws java.io.IOException {
        int length = 0;
        for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
            if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
        }
        for (int i = 0; i < length; i++) in.read();
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(50);
        }
    }
}
