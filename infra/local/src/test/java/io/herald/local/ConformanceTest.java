package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The seed documents' own flows, replayed through the local stack with a real WebSocket client:
 * exact field names, JSON types, envelopes and the documented errors.
 */
class ConformanceTest {
    static LocalStack stack;
    static final HttpClient http = HttpClient.newHttpClient();
    static final String MILLIS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    static final String SECONDS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(LocalOptions.defaults().withPort(0)).start();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static void keys(JsonNode n, String... expected) {
        Set<String> actual = new TreeSet<>();
        n.fieldNames().forEachRemaining(actual::add);
        assertEquals(new TreeSet<>(List.of(expected)), actual, "fields of " + n);
    }

    static JsonNode publish(String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/publish"))
                .header("Authorization", "Bearer " + stack.demoToken()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.parse(r.body());
    }

    static String ws(String query) {
        return stack.webSocketUrl() + "?" + query;
    }

    @Nested
    class Topics {
        @Test
        void auth_subscribe_publish_ping_unsubscribe() throws Exception {
            try (WsClient a = WsClient.connect(ws("protocol=topics")); WsClient b = WsClient.connect(ws("protocol=topics"))) {
                a.send("{\"type\":\"auth\",\"token\":\"" + stack.token("550e8400") + "\"}");
                JsonNode ok = a.next();
                keys(ok, "type", "userId", "timestamp");
                assertEquals("auth_success", ok.get("type").asText());
                assertEquals("550e8400", ok.get("userId").asText());
                assertTrue(ok.get("timestamp").asText().matches(MILLIS));

                b.send("{\"type\":\"auth\",\"token\":\"" + stack.token("user-123") + "\"}");
                b.nextOfType("type", "auth_success");
                for (String topic : List.of("messages.user.user-123", "messages.**", "messages.user.*")) {
                    b.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
                    JsonNode s = b.next();
                    keys(s, "type", "topic", "timestamp");
                    assertEquals("subscribed", s.get("type").asText());
                    assertEquals(topic, s.get("topic").asText());
                }

                a.send("{\"type\":\"message\",\"topic\":\"messages.channel.general\",\"data\":{\"content\":\"Hello, World!\","
                        + "\"attachments\":[]},\"metadata\":{\"priority\":\"normal\"}}");
                JsonNode m = b.next();
                keys(m, "type", "topic", "eventType", "data", "metadata", "timestamp");
                assertEquals("messages.channel.general", m.get("topic").asText());
                assertTrue(m.get("data").get("attachments").isArray());
                assertEquals("550e8400", m.get("metadata").get("senderId").asText());
                assertTrue(m.get("metadata").has("senderConnectionId"));
                assertNull(b.quiet(300), "delivered once although three patterns may match");
                assertNull(a.quiet(100), "publishing is fire-and-forget");

                b.send("{\"type\":\"ping\"}");
                JsonNode pong = b.next();
                keys(pong, "type", "timestamp");
                assertEquals("pong", pong.get("type").asText());

                b.send("{\"type\":\"unsubscribe\",\"topic\":\"messages.**\"}");
                JsonNode u = b.next();
                keys(u, "type", "topic", "timestamp");
                assertEquals("unsubscribed", u.get("type").asText());
            }
        }

        @Test
        void documented_errors() throws Exception {
            try (WsClient c = WsClient.connect(ws("protocol=topics"))) {
                c.send("{\"type\":\"subscribe\",\"topic\":\"messages.**\"}");
                JsonNode e = c.next();
                keys(e, "type", "code", "message", "timestamp");
                assertEquals(401, e.get("code").asInt());

                c.send("{\"type\":\"auth\",\"token\":\"expired.or.bad\"}");
                JsonNode ae = c.next();
                keys(ae, "type", "message", "code", "timestamp");
                assertEquals("auth_error", ae.get("type").asText());
                assertEquals(401, ae.get("code").asInt());

                c.send("{\"type\":\"auth\",\"token\":\"" + stack.token("u") + "\"}");
                c.nextOfType("type", "auth_success");
                c.send("{\"type\":\"subscribe\"}");
                JsonNode missing = c.next();
                keys(missing, "type", "code", "message", "details", "timestamp");
                assertEquals(400, missing.get("code").asInt());
                assertEquals("topic", missing.get("details").get("field").asText());
                assertEquals("required", missing.get("details").get("issue").asText());

                c.send("{\"type\":\"message\",\"topic\":\"messages.user.someone-else\",\"data\":{}}");
                assertEquals(403, c.next().get("code").asInt());
            }
        }

        @Test
        void a_token_at_connect_authenticates_too() throws Exception {
            try (WsClient c = WsClient.connect(ws("token=" + stack.token("q-user")))) {
                c.send("{\"type\":\"subscribe\",\"topic\":\"messages.user.q-user\"}");
                assertEquals("subscribed", c.next().get("type").asText());
            }
        }

        @Test
        void http_created_messages_reach_the_documented_feeds() throws Exception {
            try (WsClient recipient = WsClient.connect(ws("token=" + stack.token("user-123")));
                    WsClient channel = WsClient.connect(ws("token=" + stack.token("other")))) {
                recipient.send("{\"type\":\"subscribe\",\"topic\":\"messages.user.user-123\"}");
                recipient.next();
                channel.send("{\"type\":\"subscribe\",\"topic\":\"messages.channel.general\"}");
                channel.next();
                publish("{\"type\":\"message.sent\",\"data\":{\"id\":\"msg-uuid\",\"userId\":\"user-abc\","
                        + "\"recipientId\":\"user-123\",\"content\":\"Hello!\"}}");
                JsonNode dm = recipient.next();
                assertEquals("messages.user.user-123", dm.get("topic").asText());
                assertEquals("message.sent", dm.get("eventType").asText());
                publish("{\"type\":\"message.sent\",\"data\":{\"userId\":\"user-abc\",\"channelId\":\"general\",\"content\":\"hi\"}}");
                assertEquals("messages.channel.general", channel.next().get("topic").asText());
                assertNull(recipient.quiet(200), "a channel message is not the recipient's DM");
            }
        }
    }

    @Nested
    class Raffle {
        static final List<String> DOMAIN_EVENTS = List.of("raffle_created", "box_purchased", "raffle_full", "winner_selected",
                "raffle_cancelled", "item_created", "item_updated", "item_stock_changed");

        @Test
        void the_documents_client_flow_and_every_server_event() throws Exception {
            try (WsClient c = WsClient.connect(ws("protocol=raffle"))) {
                // as the document's example: auth and subscribe sent back to back on open
                c.send("{\"message_type\":\"auth\",\"data\":{\"token\":\"" + stack.token("uuid-user-456") + "\"}}");
                c.send("{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"all\",\"raffle_id\":null,"
                        + "\"item_id\":null,\"user_id\":null,\"room\":null}]}}");
                c.send("{\"message_type\":\"ping\",\"data\":{}}");
                JsonNode pong = c.nextOfType("message_type", "pong");
                keys(pong, "message_type", "data", "timestamp");
                assertTrue(pong.get("data").get("timestamp").isIntegralNumber());
                assertTrue(pong.get("timestamp").asText().matches(SECONDS));

                for (String type : DOMAIN_EVENTS) {
                    publish("{\"type\":\"" + type + "\",\"data\":{\"raffle_id\":\"uuid-raffle-123\",\"item_id\":\"uuid-item-456\"}}");
                    JsonNode e = c.nextOfType("message_type", type);
                    keys(e, "message_type", "data", "timestamp");
                    assertEquals("uuid-raffle-123", e.get("data").get("raffle_id").asText());
                }
                for (String type : List.of("credits_issued", "credits_redeemed")) {
                    publish("{\"type\":\"" + type + "\",\"data\":{\"user_id\":\"uuid-user-456\",\"amount\":50.00}}");
                    assertEquals("50.00", c.nextOfType("message_type", type).get("data").get("amount").toString());
                }
                for (String type : List.of("system_maintenance", "system_alert")) {
                    publish("{\"type\":\"" + type + "\",\"data\":{\"message\":\"Scheduled maintenance\"}}");
                    c.nextOfType("message_type", type);
                }
                // user_joined and user_left come from Herald itself
                WsClient other = WsClient.connect(ws("protocol=raffle"));
                other.send("{\"message_type\":\"auth\",\"data\":{\"token\":\"" + stack.token("uuid-user-789") + "\"}}");
                JsonNode joined = c.nextOfType("message_type", "user_joined");
                keys(joined.get("data"), "user_id", "username", "joined_at");
                other.close();
                JsonNode left = c.nextOfType("message_type", "user_left");
                keys(left.get("data"), "user_id", "left_at");
            }
        }

        @Test
        void other_users_credits_never_arrive() throws Exception {
            try (WsClient c = WsClient.connect(ws("protocol=raffle"))) {
                c.send("{\"message_type\":\"auth\",\"data\":{\"token\":\"" + stack.token("mallory") + "\"}}");
                c.send("{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"credits_issued\"},"
                        + "{\"event_type\":\"credits_issued\",\"user_id\":\"alice\"}]}}");
                publish("{\"type\":\"credits_issued\",\"data\":{\"user_id\":\"alice\",\"amount\":5}}");
                assertNull(c.quiet(500));
            }
        }

        @Test
        void invalid_input_is_ignored_and_a_bad_token_terminates() throws Exception {
            try (WsClient c = WsClient.connect(ws("protocol=raffle"))) {
                c.send("this is not json");
                c.send("{\"message_type\":\"teleport\"}");
                c.send("{\"message_type\":\"ping\",\"data\":{}}");
                assertEquals("pong", c.next().get("message_type").asText(), "nothing answered the invalid frames");
                c.send("{\"message_type\":\"auth\",\"data\":{\"token\":\"forged\"}}");
                c.awaitClose();
            }
        }
    }

    @Nested
    class Booking {
        @Test
        void connect_subscribe_updates_stats_ping() throws Exception {
            try (WsClient c = WsClient.connect(ws("protocol=booking&eventId=123&token=" + stack.token("booker")))) {
                JsonNode hello = c.next();
                keys(hello, "type", "clientId", "eventId", "timestamp");
                assertTrue(hello.get("eventId").isIntegralNumber());
                assertTrue(hello.get("timestamp").asText().matches(MILLIS));

                c.send("{\"type\":\"subscribe_event\",\"eventId\":456}");
                JsonNode s = c.next();
                keys(s, "type", "eventId", "timestamp");
                assertEquals(456, s.get("eventId").asInt());
                assertTrue(s.get("eventId").isIntegralNumber());

                publish("{\"type\":\"seat_update\",\"data\":{\"eventId\":123,\"availableSeats\":45,\"seatCapacity\":100}}");
                JsonNode seat = c.next();
                keys(seat, "type", "eventId", "availableSeats", "seatCapacity", "timestamp");
                publish("{\"type\":\"booking_created\",\"data\":{\"eventId\":123,\"availableSeats\":44,\"bookingId\":\"b-1\",\"userId\":\"u-9\"}}");
                keys(c.next(), "type", "eventId", "availableSeats", "timestamp");
                publish("{\"type\":\"booking_cancelled\",\"data\":{\"eventId\":456,\"availableSeats\":45,\"bookingId\":\"b-1\",\"userId\":\"u-9\"}}");
                JsonNode cancelled = c.next();
                keys(cancelled, "type", "eventId", "availableSeats", "timestamp");
                assertEquals(456, cancelled.get("eventId").asInt());

                c.send("{\"type\":\"get_stats\"}");
                JsonNode stats = c.next();
                keys(stats, "type", "data", "timestamp");
                keys(stats.get("data"), "totalClients", "eventSubscriptions");

                c.send("{\"type\":\"ping\"}");
                keys(c.next(), "type", "timestamp");

                c.send("{\"type\":\"unsubscribe_event\",\"eventId\":456}");
                keys(c.next(), "type", "eventId", "timestamp");
                for (String bad : List.of("{oops", "{\"type\":\"dance\"}", "{\"type\":\"subscribe_event\"}")) {
                    c.send(bad);
                    JsonNode e = c.next();
                    keys(e, "type", "message", "timestamp");
                    assertEquals("error", e.get("type").asText());
                }
            }
        }

        @Test
        void no_or_bad_token_is_refused_at_the_handshake() throws Exception {
            assertEquals(401, WsClient.refusedStatus(ws("protocol=booking")));
            assertEquals(401, WsClient.refusedStatus(ws("protocol=booking&token=bad")));
        }
    }

    @Nested
    class Notify {
        static final List<String> TYPES = List.of("match_created", "order_created", "order_paid", "order_shipped",
                "order_delivered", "payment_succeeded", "payment_failed", "payout_completed");

        @Test
        void connected_notifications_ping() throws Exception {
            try (WsClient c = WsClient.connect(ws("protocol=notify&token=" + stack.token("1")));
                    WsClient stranger = WsClient.connect(ws("protocol=notify&token=" + stack.token("2")))) {
                JsonNode hello = c.next();
                keys(hello, "type", "data");
                assertEquals("connected", hello.get("type").asText());
                keys(hello.get("data"), "user_id", "email", "message");
                assertTrue(hello.get("data").get("user_id").isIntegralNumber());
                stranger.next();

                for (String type : TYPES) {
                    publish("{\"type\":\"" + type + "\",\"data\":{\"user_id\":1,\"id\":123,\"title\":\"t\","
                            + "\"message\":\"m\",\"link\":\"/orders/1\"}}");
                    JsonNode n = c.next();
                    keys(n, "type", "data");
                    keys(n.get("data"), "id", "title", "message", "notification_type", "link", "timestamp");
                    assertEquals(type, n.get("data").get("notification_type").asText());
                    assertTrue(n.get("data").get("id").isIntegralNumber());
                }
                assertNull(stranger.quiet(300), "other users' notifications never arrive");

                c.send("{\"type\":\"ping\"}");
                assertEquals("{\"type\":\"pong\",\"data\":{\"status\":\"ok\"}}", c.frames.poll(10, TimeUnit.SECONDS));
            }
        }

        @Test
        void the_authorization_header_works_and_a_new_connection_replaces_the_old() throws Exception {
            WsClient first = WsClient.connect(ws("protocol=notify&token=" + stack.token("7")));
            first.next();
            WebSocket second = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + stack.token("7"))
                    .buildAsync(URI.create(ws("protocol=notify")), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            assertTrue(first.awaitClose() > 0, "the older connection is closed");
            assertFalse(second.isInputClosed());
            second.abort();
        }
    }
}
