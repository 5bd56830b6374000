package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.testing.Fixture;
import io.herald.testing.InMemoryStores;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client frames per profile, with in-memory ports: replies, state changes, and every kind of bad input. */
class SessionServiceTest {
    final InMemoryStores stores = new InMemoryStores();
    final RecordingNotifier out = new RecordingNotifier();
    final Fixture h = Fixture.inMemory(stores, out, HeraldConfig.defaults().withSubscriptionLimit(3));

    JsonNode last(String id) {
        return Json.parse(out.last(id));
    }

    @Test
    void a_throttled_statistics_write_should_fail_no_client_request() {
        stores.statsFailure = new IllegalStateException("ProvisionedThroughputExceededException on the stats item");
        assertEquals(200, h.connect("a", "token", Tokens.forUser("alice")).status());
        h.send("a", "{\"type\":\"subscribe\",\"topic\":\"messages.**\"}");
        assertEquals("subscribed", last("a").get("type").asText());
        h.send("a", "{\"type\":\"unsubscribe\",\"topic\":\"messages.**\"}");
        assertEquals("unsubscribed", last("a").get("type").asText());
        assertTrue(h.services.lifecycle.disconnected("a", Instant.now()));
        assertTrue(stores.connections.isEmpty());
    }

    // ---- topics ----

    @Test
    void topics_auth_subscribe_and_receive_a_client_message() {
        h.connect("a");
        h.connect("b", "token", Tokens.forUser("bob"));
        h.send("a", "{\"type\":\"auth\",\"token\":\"" + Tokens.forUser("alice") + "\"}");
        JsonNode ok = last("a");
        assertEquals("auth_success", ok.get("type").asText());
        assertEquals("alice", ok.get("userId").asText());
        assertTrue(ok.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));

        h.send("b", "{\"type\":\"subscribe\",\"topic\":\"messages.**\"}");
        assertEquals("subscribed", last("b").get("type").asText());
        assertEquals("messages.**", last("b").get("topic").asText());

        h.send("a", "{\"type\":\"message\",\"topic\":\"messages.channel.general\",\"data\":{\"content\":\"Hello\"},\"metadata\":{\"priority\":\"normal\"}}");
        JsonNode m = last("b");
        assertEquals("message", m.get("type").asText());
        assertEquals("messages.channel.general", m.get("topic").asText());
        assertEquals("Hello", m.get("data").get("content").asText());
        assertEquals("alice", m.get("metadata").get("senderId").asText());
        assertEquals("a", m.get("metadata").get("senderConnectionId").asText());
        assertEquals("normal", m.get("metadata").get("priority").asText());

        h.send("b", "{\"type\":\"ping\"}");
        assertEquals("pong", last("b").get("type").asText());
        h.send("b", "{\"type\":\"unsubscribe\",\"topic\":\"messages.**\"}");
        assertEquals("unsubscribed", last("b").get("type").asText());
        assertTrue(stores.forConnection("b").isEmpty());
    }

    @Test
    void topics_should_require_auth_before_subscribe_and_publish() {
        h.connect("a");
        String before = stores.snapshot();
        h.send("a", "{\"type\":\"subscribe\",\"topic\":\"messages.**\"}");
        assertEquals(401, last("a").get("code").asInt());
        h.send("a", "{\"type\":\"message\",\"topic\":\"messages.channel.general\",\"data\":{}}");
        assertEquals(401, last("a").get("code").asInt());
        assertEquals(before, stores.snapshot());
    }

    @Test
    void topics_bad_token_should_answer_auth_error_and_keep_the_connection() {
        h.connect("a");
        h.send("a", "{\"type\":\"auth\",\"token\":\"garbage\"}");
        JsonNode e = last("a");
        assertEquals("auth_error", e.get("type").asText());
        assertEquals(401, e.get("code").asInt());
        assertTrue(out.disconnected.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json", "[1,2]", "{}", "{\"type\":5}", "{\"type\":\"nope\"}", "{\"type\":\"subscribe\"}",
        "{\"type\":\"subscribe\",\"topic\":7}", "{\"type\":\"subscribe\",\"topic\":\"a..b\"}",
        "{\"type\":\"message\",\"topic\":\"messages.*\"}", "{\"type\":\"message\",\"topic\":\"messages.channel.x\",\"data\":[1]}",
        "{\"type\":\"auth\"}", "{\"type\":\"auth\",\"token\":7}",
    })
    void topics_bad_input_should_get_an_error_frame_and_change_nothing(String frame) {
        h.connect("a", "token", Tokens.forUser("alice"));
        h.send("a", "{\"type\":\"subscribe\",\"topic\":\"x.y\"}");
        String before = stores.snapshot();
        h.send("a", frame);
        JsonNode e = last("a");
        assertEquals("error", e.get("type").asText(), frame);
        assertEquals(400, e.get("code").asInt(), frame);
        assertTrue(e.get("message").asText().length() > 3);
        assertEquals(before, stores.snapshot(), "state unchanged by " + frame);
    }

    @Test
    void oversized_frames_should_be_refused_with_the_profiles_error() {
        h.connect("a", "token", Tokens.forUser("alice"));
        String before = stores.snapshot();
        h.send("a", "{\"type\":\"message\",\"topic\":\"messages.channel.x\",\"data\":{\"b\":\"" + "x".repeat(140_000) + "\"}}");
        assertTrue(last("a").get("message").asText().contains("too large"));
        assertEquals(before, stores.snapshot());
    }

    @Test
    void forbidden_topics_should_get_403_and_not_be_stored() {
        h.connect("a", "token", Tokens.forUser("alice"));
        h.send("a", "{\"type\":\"subscribe\",\"topic\":\"users.bob\"}");
        assertEquals(403, last("a").get("code").asInt());
        h.send("a", "{\"type\":\"subscribe\",\"topic\":\"users.*\"}");
        assertEquals(403, last("a").get("code").asInt());
        h.send("a", "{\"type\":\"message\",\"topic\":\"messages.user.bob\",\"data\":{}}");
        assertEquals(403, last("a").get("code").asInt());
        assertTrue(stores.forConnection("a").isEmpty());
    }

    @Test
    void the_subscription_limit_should_be_reported() {
        h.connect("a", "token", Tokens.forUser("alice"));
        for (int i = 0; i < 3; i++) h.send("a", "{\"type\":\"subscribe\",\"topic\":\"t." + i + "\"}");
        h.send("a", "{\"type\":\"subscribe\",\"topic\":\"t.9\"}");
        JsonNode e = last("a");
        assertEquals(400, e.get("code").asInt());
        assertTrue(e.get("message").asText().contains("limit of 3"));
        assertEquals(3, stores.forConnection("a").size());
    }

    @Test
    void a_wildcard_subscriber_should_not_receive_another_users_private_events() {
        h.connect("spy", "token", Tokens.forUser("mallory"));
        h.send("spy", "{\"type\":\"subscribe\",\"topic\":\"**\"}");
        int before = out.to("spy").size();
        h.services.publisher.publish(new Publication(null, "credits_issued", List.of("users.alice"),
                Json.object().put("user_id", "alice"), null), Instant.now());
        assertEquals(before, out.to("spy").size());
        h.services.publisher.publish(new Publication(null, "credits_issued", List.of("users.mallory"),
                Json.object().put("user_id", "mallory"), null), Instant.now());
        assertEquals(before + 1, out.to("spy").size());
    }

    // ---- raffle ----

    @Test
    void raffle_subscribe_filters_replace_and_and_together() {
        h.connect("r", "protocol", "raffle");
        h.send("r", "{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"box_purchased\","
                + "\"raffle_id\":\"r-1\",\"item_id\":null,\"user_id\":null,\"room\":null}]}}");
        publish("box_purchased", "{\"raffle_id\":\"r-1\",\"box_number\":25}");
        publish("raffle_full", "{\"raffle_id\":\"r-1\"}");
        publish("box_purchased", "{\"raffle_id\":\"r-2\"}");
        assertEquals(1, out.to("r").size());
        JsonNode e = last("r");
        assertEquals("box_purchased", e.get("message_type").asText());
        assertEquals(25, e.get("data").get("box_number").asInt());
        assertTrue(e.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));

        // a new subscribe replaces the old set; filters AND together
        h.send("r", "{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"all\","
                + "\"item_id\":\"i-4\",\"room\":\"raffle_r-1\"}]}}");
        assertEquals(1, stores.forConnection("r").size());
        publish("box_purchased", "{\"raffle_id\":\"r-1\"}");
        publish("item_updated", "{\"item_id\":\"i-4\"}");
        publish("item_updated", "{\"item_id\":\"i-4\",\"room\":\"raffle_r-1\"}");
        assertEquals(2, out.to("r").size());
    }

    @Test
    void raffle_invalid_input_should_be_ignored_and_a_bad_token_should_close() {
        h.connect("r", "protocol", "raffle");
        String before = stores.snapshot();
        for (String bad : new String[] {"nope", "{}", "{\"message_type\":\"dance\"}", "{\"message_type\":\"subscribe\",\"data\":{}}"}) {
            h.send("r", bad);
        }
        assertTrue(out.to("r").isEmpty(), "the raffle document ignores invalid input silently");
        assertEquals(before, stores.snapshot());
        assertTrue(h.log.stream().anyMatch(l -> l.path("event").asText().equals("client_error")), "but it is logged");

        h.send("r", "{\"message_type\":\"ping\",\"data\":{}}");
        JsonNode pong = last("r");
        assertEquals("pong", pong.get("message_type").asText());
        assertTrue(pong.get("data").get("timestamp").isIntegralNumber());

        h.send("r", "{\"message_type\":\"auth\",\"data\":{\"token\":\"bad\"}}");
        assertTrue(out.disconnected.contains("r"));
        assertTrue(stores.connections.isEmpty());
    }

    @Test
    void raffle_auth_should_announce_user_joined_and_disconnect_user_left() {
        h.connect("watcher", "protocol", "raffle");
        h.send("watcher", "{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"all\"}]}}");
        h.connect("r", "protocol", "raffle");
        h.send("r", "{\"message_type\":\"auth\",\"data\":{\"token\":\"" + Tokens.forUser("u-456") + "\"}}");
        JsonNode joined = last("watcher");
        assertEquals("user_joined", joined.get("message_type").asText());
        assertEquals("u-456", joined.get("data").get("user_id").asText());
        assertEquals("u-456", joined.get("data").get("username").asText(), "the sub, never the email (issue 11, item 14)");
        h.services.lifecycle.disconnected("r", Instant.now());
        assertEquals("user_left", last("watcher").get("message_type").asText());
    }

    @Test
    void raffle_user_filters_should_not_open_other_users_credits() {
        h.connect("r", "protocol", "raffle", "token", Tokens.forUser("mallory"));
        h.send("r", "{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"credits_issued\",\"user_id\":\"alice\"}]}}");
        assertTrue(stores.forConnection("r").isEmpty(), "subscription to another user's events is refused");
        h.send("r", "{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"credits_issued\"}]}}");
        publish("credits_issued", "{\"user_id\":\"alice\",\"amount\":50.00}");
        assertTrue(out.to("r").isEmpty());
        publish("credits_issued", "{\"user_id\":\"mallory\",\"amount\":50.00}");
        assertEquals(1, out.to("r").size());
        assertEquals("50.00", last("r").get("data").get("amount").toString());
    }

    // ---- booking ----

    @Test
    void booking_requires_a_token_and_subscribes_from_the_query() {
        assertEquals(401, h.connect("b", "protocol", "booking").status());
        assertEquals(401, h.connect("b", "protocol", "booking", "token", "bad").status());
        assertTrue(stores.connections.isEmpty());
        assertEquals(400, h.connect("b", "protocol", "booking", "token", Tokens.forUser("u"), "eventId", "x".repeat(1100)).status());
        assertEquals(200, h.connect("b", "protocol", "booking", "token", Tokens.forUser("u"), "eventId", "123").status());
        publish("booking_created", "{\"eventId\":123,\"availableSeats\":44,\"bookingId\":\"bk-1\",\"userId\":\"u-9\"}");
        JsonNode e = last("b");
        assertEquals("booking_created", e.get("type").asText());
        assertTrue(e.get("eventId").isIntegralNumber());
        assertEquals(44, e.get("availableSeats").asInt());
        assertNull(e.get("bookingId"));
        assertNull(e.get("userId"));
    }

    @Test
    void booking_messages_and_errors() {
        h.connect("b", "protocol", "booking", "token", Tokens.forUser("u"));
        h.send("b", "{\"type\":\"subscribe_event\",\"eventId\":7}");
        assertTrue(out.last("b").startsWith("{\"type\":\"subscribed\",\"eventId\":7,\"timestamp\":\""), out.last("b"));
        h.send("b", "{\"type\":\"get_stats\"}");
        JsonNode s = last("b");
        assertEquals("stats", s.get("type").asText());
        assertEquals(1, s.get("data").get("totalClients").asInt());
        assertEquals(1, s.get("data").get("eventSubscriptions").asInt());
        String before = stores.snapshot();
        for (String bad : new String[] {"{", "{\"type\":\"subscribe_event\"}", "{\"type\":\"jump\"}", "{\"type\":\"subscribe_event\",\"eventId\":{}}"}) {
            h.send("b", bad);
            JsonNode e = last("b");
            assertEquals("error", e.get("type").asText(), bad);
            assertTrue(e.has("message") && e.has("timestamp"), bad);
        }
        assertEquals(before, stores.snapshot());
    }

    // ---- notify ----

    @Test
    void notify_delivers_own_notifications_only() {
        assertEquals(401, h.connect("n0", "protocol", "notify").status());
        h.connect("n1", "protocol", "notify", "token", Tokens.forUser("1"));
        h.connect("n2", "protocol", "notify", "token", Tokens.forUser("2"));
        h.services.publisher.publish(new Publication("n-123", "match_created", List.of("users.1"),
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(
                        "{\"title\":\"Matched\",\"message\":\"Your bid...\",\"link\":\"/orders/1\"}"), null), Instant.now());
        JsonNode n = last("n1");
        assertEquals("notification", n.get("type").asText());
        assertEquals("match_created", n.get("data").get("notification_type").asText());
        assertEquals("Matched", n.get("data").get("title").asText());
        assertEquals("/orders/1", n.get("data").get("link").asText());
        assertTrue(out.to("n2").isEmpty());
        h.send("n1", "{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\",\"data\":{\"status\":\"ok\"}}", out.last("n1"));
    }

    @Test
    void connections_per_ip_should_be_limited_and_freed_on_disconnect() {
        Fixture limited = Fixture.inMemory(stores, out, HeraldConfig.defaults().withMaxConnectionsPerIp(2));
        assertEquals(200, limited.connect("c1").status());
        assertEquals(200, limited.connect("c2").status());
        ConnectResult third = limited.connect("c3");
        assertEquals(429, third.status());
        assertTrue(third.reason().contains("limit 2"), third.reason());
        assertTrue(stores.connections.containsKey("c1") && !stores.connections.containsKey("c3"));
        limited.services.lifecycle.disconnected("c1", Instant.now());
        assertEquals(200, limited.connect("c4").status());
    }

    @Test
    void unknown_protocol_should_be_rejected_with_400() {
        ConnectResult r = h.connect("x", "protocol", "klingon");
        assertEquals(400, r.status());
        assertTrue(r.reason().startsWith("Unknown protocol; known: "), r.reason()); // not the value asked (item 13)
        assertTrue(stores.connections.isEmpty());
    }

    private void publish(String type, String data) {
        h.services.publisher.publish(h.services.codec.read(Json.parse("{\"type\":\"" + type + "\",\"data\":" + data + "}")),
                Instant.now());
    }
}
