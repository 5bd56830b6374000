package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.core.json.Json;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The local stack learns its wiring from the template: change the template, local behaviour follows.
 * Also the failure paths that need a different wiring (a lost $disconnect, a broken function).
 */
class TemplateDrivesLocalBehaviourTest {
    @TempDir
    Path dir;

    LocalStack stackWith(UnaryOperator<String> edit, LocalOptions options) throws Exception {
        String yaml = edit.apply(Files.readString(Path.of("template.yaml")));
        Path t = dir.resolve("template.yaml");
        Files.writeString(t, yaml);
        return new LocalStack(options.withPort(0).withTemplate(t)).start();
    }

    LocalStack stackWith(UnaryOperator<String> edit) throws Exception {
        return stackWith(edit, LocalOptions.defaults());
    }

    static String removeResource(String yaml, String logicalId) {
        int start = yaml.indexOf("\n  " + logicalId + ":\n");
        if (start < 0) throw new IllegalArgumentException(logicalId + " not in template");
        int end = start + 1;
        do {
            end = yaml.indexOf('\n', end + 1);
        } while (end > 0 && (yaml.startsWith("    ", end + 1) || yaml.startsWith("\n", end + 1)) );
        return yaml.substring(0, start) + yaml.substring(end);
    }

    @Test
    void without_a_default_route_the_client_should_get_api_gateways_forbidden_message() throws Exception {
        try (LocalStack s = stackWith(y -> removeResource(y, "DefaultRoute"));
                WsClient c = WsClient.connect(s.webSocketUrl())) {
            c.send("{\"type\":\"ping\"}");
            JsonNode m = c.next();
            assertEquals("Forbidden", m.get("message").asText());
            assertTrue(m.has("connectionId") && m.has("requestId"));
        }
    }

    @Test
    void a_named_route_should_be_selected_by_the_expression() throws Exception {
        // route "ping" frames ({"action":"ping"}) to the publish function: it answers nothing, so no pong comes back
        String route = """
                  PingRoute:
                    Type: AWS::ApiGatewayV2::Route
                    Properties:
                      ApiId: !Ref WebSocketApi
                      RouteKey: ping
                      Target: !Sub integrations/${ConnectIntegration}
                """;
        try (LocalStack s = stackWith(y -> y.replace("  DisconnectRoute:\n", route + "  DisconnectRoute:\n"));
                WsClient c = WsClient.connect(s.webSocketUrl())) {
            c.send("{\"action\":\"ping\",\"type\":\"ping\"}");
            assertNull(c.quiet(700), "a frame selected to another route must not reach $default");
            c.send("{\"type\":\"ping\"}");
            assertEquals("pong", c.next().get("type").asText());
        }
    }

    @Test
    void the_rules_event_pattern_should_decide_which_events_reach_the_publish_function() throws Exception {
        try (LocalStack s = stackWith(y -> y.replace("source: [{anything-but: {prefix: aws.}}]", "source: [orders]"));
                WsClient c = WsClient.connect(s.webSocketUrl() + "?token=" + s.token("u1"));
                EventBridgeClient eb = EventBridgeClient.builder().endpointOverride(URI.create(s.httpUrl()))
                        .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
            c.send("{\"type\":\"subscribe\",\"topic\":\"raffles.r1\"}");
            c.nextOfType("type", "subscribed");
            eb.putEvents(b -> b.entries(e -> e.source("raffles").detailType("x").detail("{\"data\":{\"raffle_id\":\"r1\"}}")));
            assertNull(c.quiet(700), "an event the rule does not match is accepted and dropped");
            eb.putEvents(b -> b.entries(e -> e.source("orders").detailType("y").detail("{\"data\":{\"raffle_id\":\"r1\"}}")));
            assertEquals("y", c.nextOfType("type", "message").get("eventType").asText());
        }
    }

    @Test
    void a_connections_stream_batch_the_lifecycle_function_gives_up_on_should_be_recorded_in_the_failures_queue() throws Exception {
        UnaryOperator<String> edit = y -> y.replace("Handler: io.herald.functions.LifecycleHandler::handleRequest",
                "Handler: " + ThrowingHandler.class.getName() + "::handleRequest").replace("MaximumRetryAttempts: 5", "MaximumRetryAttempts: 0");
        int before = ThrowingHandler.INVOCATIONS.get();
        try (LocalStack s = stackWith(edit); WsClient c = WsClient.connect(s.webSocketUrl())) {
            var queue = s.queues().byName("LifecycleFailuresQueue").orElseThrow();
            var received = queue.receive(1, 30, 20_000);
            assertEquals(1, received.size(), "the record of the discarded batch");
            JsonNode info = io.herald.core.json.Json.parse(received.get(0).body()).get("DDBStreamBatchInfo");
            assertEquals(1, info.get("batchSize").asInt(), "the connection's INSERT, alone");
            assertTrue(info.get("streamArn").asText().contains("/stream/"), info.toString());
            assertEquals(1, ThrowingHandler.INVOCATIONS.get() - before, "MaximumRetryAttempts 0: one attempt");
        }
    }

    @Test
    void a_failing_message_handler_should_answer_internal_server_error_and_keep_the_socket() throws Exception {
        // the message function points at a table that does not exist: every invocation throws
        // (added to the function's own Environment.Variables, the first after its Handler line)
        UnaryOperator<String> edit = y -> {
            int fn = y.indexOf("      Handler: io.herald.functions.MessageHandler::handleRequest\n");
            int vars = y.indexOf("        Variables:\n", fn) + "        Variables:\n".length();
            assertTrue(fn >= 0 && vars > fn, "MessageFunction's Environment.Variables in the template");
            return y.substring(0, vars) + "          HERALD_CONNECTIONS_TABLE: NoSuchTable\n" + y.substring(vars);
        };
        try (LocalStack s = stackWith(edit);
                WsClient c = WsClient.connect(s.webSocketUrl())) {
            c.send("{\"type\":\"ping\"}");
            JsonNode m = c.next();
            assertEquals("Internal server error", m.get("message").asText());
            assertTrue(m.has("connectionId") && m.has("requestId"));
            c.send("{\"type\":\"ping\"}");
            assertEquals("Internal server error", c.next().get("message").asText(), "the socket stays open");
        }
    }

    @Test
    void a_client_that_vanishes_without_disconnect_should_be_cleaned_up_by_the_next_publication() throws Exception {
        // $disconnect is best-effort on AWS; without the route it never runs and only the 410 path can clean up
        try (LocalStack s = stackWith(y -> removeResource(y, "DisconnectRoute"));
                WsClient watcher = WsClient.connect(s.webSocketUrl() + "?token=" + s.token("w"))) {
            WsClient ghost = WsClient.connect(s.webSocketUrl() + "?token=" + s.token("g"));
            long ghostConnected = System.currentTimeMillis(); // after its $connect: the window is counted from before
            for (WsClient c : new WsClient[] {watcher, ghost}) {
                c.send("{\"type\":\"subscribe\",\"topic\":\"messages.channel.lobby\"}");
                c.nextOfType("type", "subscribed");
            }
            ghost.send("{\"type\":\"message\",\"topic\":\"messages.channel.lobby\",\"data\":{}}");
            String ghostId = ghost.nextOfType("type", "message").get("metadata").get("senderConnectionId").asText();
            ghost.vanish();
            LocalStackEndToEndTest.waitUntil(() -> s.gateway().find(ghostId).isEmpty());
            assertTrue(storedConnection(s, ghostId), "without $disconnect the item stays");
            // a 410 within 10 s of connecting may mean "$connect has not returned yet": fan-out
            // retries it and keeps the connection (ConnectWindow); a ghost older than that is gone
            Thread.sleep(Math.max(0, ghostConnected + 11_000 - System.currentTimeMillis()));

            watcher.send("{\"type\":\"message\",\"topic\":\"messages.channel.lobby\",\"data\":{\"n\":1}}");
            watcher.nextOfType("type", "message");
            LocalStackEndToEndTest.waitUntil(() -> !storedConnection(s, ghostId));
            // its subscriptions go right after the connection item
            LocalStackEndToEndTest.waitUntil(() -> s.dynamo().query(b -> b.tableName("SubscriptionsTable")
                    .indexName(DynamoDbSchema.BY_CONNECTION).keyConditionExpression(DynamoDbSchema.SUB_CONNECTION + " = :c")
                    .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(ghostId)))).count() == 0);
            assertTrue(s.gateway().find(ghostId).isEmpty());
        }
    }

    @Test
    void a_parameter_override_should_reach_the_functions_environment() throws Exception {
        try (LocalStack s = stackWith(y -> y, LocalOptions.defaults().withParameter("MaxConnectionsPerIp", "2"))) {
            WsClient a = WsClient.connect(s.webSocketUrl());
            WsClient b = WsClient.connect(s.webSocketUrl());
            assertEquals(429, WsClient.refusedStatus(s.webSocketUrl()), "a third connection from 127.0.0.1");
            a.close();
            a.awaitClose();
            LocalStackEndToEndTest.waitUntil(() -> {
                try {
                    return WsClient.refusedStatus(s.webSocketUrl()) == 101;
                } catch (Exception e) {
                    return false;
                }
            });
            b.close();
        }
    }

    @Test
    void the_idle_timeout_should_close_with_1001_and_run_disconnect() throws Exception {
        // 3 s: the first ping of a fresh stack starts its message function, which must answer before the timeout
        try (LocalStack s = stackWith(y -> y, LocalOptions.defaults().withLimits(Duration.ofSeconds(3), Duration.ofHours(2)))) {
            WsClient c = WsClient.connect(s.webSocketUrl() + "?token=" + s.token("idle"));
            c.send("{\"type\":\"ping\"}");
            c.next();
            assertEquals(1001, c.awaitClose());
            LocalStackEndToEndTest.waitUntil(() -> s.dynamo().scan(b -> b.tableName("ConnectionsTable")).count() == 0);
        }
    }

    @Test
    void the_maximum_connection_duration_should_close_with_1001() throws Exception {
        try (LocalStack s = stackWith(y -> y, LocalOptions.defaults().withLimits(Duration.ofMinutes(10), Duration.ofSeconds(1)))) {
            WsClient c = WsClient.connect(s.webSocketUrl());
            assertEquals(1001, c.awaitClose());
        }
    }

    @Test
    void stopping_the_stack_should_close_sockets_with_1001() throws Exception {
        LocalStack s = stackWith(y -> y);
        WsClient c = WsClient.connect(s.webSocketUrl());
        s.close();
        assertEquals(1001, c.awaitClose());
    }

    static boolean storedConnection(LocalStack s, String id) {
        return !s.dynamo().getItem(b -> b.tableName("ConnectionsTable")
                .key(Map.of("connectionId", AttributeValue.fromS(id)))).item().isEmpty();
    }
}
