package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.testing.Fixture;
import io.herald.testing.InMemoryStores;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 14: raffle presence ({@code user_joined}) goes to a topic anyone reads, anonymous
 * clients included, so its {@code username} must never be the token's email.
 */
class RafflePresenceTest {
    final InMemoryStores stores = new InMemoryStores();
    final RecordingNotifier out = new RecordingNotifier();
    final Fixture h = Fixture.inMemory(stores, out, HeraldConfig.defaults());

    static String token(String sub, UnaryOperator<JWTCreator.Builder> claims) {
        return claims.apply(JWT.create().withSubject(sub).withClaim("email", "alice.private@example.com"))
                .withExpiresAt(Instant.now().plusSeconds(3600)).sign(Algorithm.HMAC256(Tokens.SECRET));
    }

    JsonNode joinedSeenByAStranger(String token) {
        h.connect("watcher", "protocol", "raffle");
        h.send("watcher", "{\"message_type\":\"subscribe\",\"data\":{\"subscriptions\":[{\"event_type\":\"user_joined\"}]}}");
        h.connect("alice", "protocol", "raffle");
        h.send("alice", "{\"message_type\":\"auth\",\"data\":{\"token\":\"" + token + "\"}}");
        String frame = out.last("watcher");
        assertFalse(frame.contains("alice.private"), "the email reached an anonymous client: " + frame);
        JsonNode joined = Json.parse(frame);
        assertEquals("user_joined", joined.get("message_type").asText());
        return joined.get("data");
    }

    @Test
    void presence_should_show_username_before_preferred_username_and_name() {
        assertEquals("ally", joinedSeenByAStranger(token("u-1", b -> b.withClaim("username", "ally")
                .withClaim("preferred_username", "al").withClaim("name", "Alice A."))).get("username").asText());
    }

    @Test
    void presence_should_show_preferred_username_then_name() {
        assertEquals("Alice A.", joinedSeenByAStranger(token("u-1", b -> b.withClaim("name", "Alice A."))).get("username").asText());
    }

    @Test
    void presence_should_fall_back_to_the_sub_never_the_email() {
        assertEquals("u-1", joinedSeenByAStranger(token("u-1", b -> b)).get("username").asText());
    }

    @Test
    void presence_should_skip_a_user_name_that_is_an_email_address() {
        assertEquals("al", joinedSeenByAStranger(token("u-1", b -> b.withClaim("username", "alice.private@example.com")
                .withClaim("preferred_username", "al"))).get("username").asText());
    }
}
