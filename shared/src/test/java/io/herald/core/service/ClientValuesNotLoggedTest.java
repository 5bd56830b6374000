package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.json.Json;
import io.herald.testing.Fixture;
import io.herald.testing.InMemoryStores;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 13: a token sent where a client should not send one (Sec-WebSocket-Protocol, a
 * query parameter, a message field) must not reach a log line (CloudWatch on AWS) or a refusal
 * reason.
 */
class ClientValuesNotLoggedTest {
    final InMemoryStores stores = new InMemoryStores();
    final RecordingNotifier out = new RecordingNotifier();
    final Fixture h = Fixture.inMemory(stores, out, HeraldConfig.defaults());
    final String token = Tokens.forUser("victim");

    void assertNowhere(String secret, String... also) {
        h.log.forEach(l -> assertFalse(Json.write(l).contains(secret), "logged: " + l));
        for (String s : also) assertFalse(s != null && s.contains(secret), "echoed: " + s);
    }

    @Test
    void a_token_offered_as_subprotocol_should_not_be_logged_or_echoed() {
        ConnectResult r = h.services.connect.connect(new ConnectRequest("c1", Map.of(),
                Map.of("sec-websocket-protocol", token), "10.0.0.1", "test"), Instant.now());
        assertEquals(400, r.status());
        assertTrue(r.reason().startsWith("No supported subprotocol offered"), r.reason());
        assertNowhere(token, r.reason());
    }

    @Test
    void a_token_in_an_unknown_protocol_or_event_id_should_not_be_logged_or_echoed() {
        ConnectResult p = h.connect("c2", "protocol", token);
        assertEquals(400, p.status());
        ConnectResult e = h.connect("c3", "protocol", "booking", "token", Tokens.forUser("b"), "eventId", token + "x".repeat(1100)); // too long for a topic
        assertEquals(400, e.status());
        assertNowhere(token, p.reason(), e.reason());
    }

    @Test
    void a_token_in_a_message_field_should_not_be_logged() {
        h.connect("c4", "protocol", "raffle");
        h.send("c4", "{\"message_type\":\"" + token + "\"}");
        h.connect("c5", "protocol", "booking", "token", Tokens.forUser("b"));
        h.send("c5", "{\"type\":\"" + token + "\"}");
        assertTrue(h.log.stream().anyMatch(l -> l.path("event").asText().equals("client_error")), "the mistakes are logged");
        assertNowhere(token);
    }
}
