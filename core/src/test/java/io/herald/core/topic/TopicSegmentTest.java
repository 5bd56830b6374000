package io.herald.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.policy.AccessPolicy;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Issue 11, item 15: every sub an OIDC provider issues names exactly one user topic. */
class TopicSegmentTest {
    static final List<String> SUBS = List.of("auth0|abc123", "google-oauth2|1054", "samlp|acme|jane@acme.example",
            "001234.9a8b7c.0423", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "a*b", "**", "100%", "with space", "slash/and#hash?", "ünïcödé", "x%2Ey");

    @Test
    void auth0_ids_should_be_valid_topic_segments_as_they_are() {
        assertTrue(Topic.isValid("users.auth0|abc123"));
        assertEquals("auth0|abc123", Topic.segment("auth0|abc123"));
        assertTrue(TopicPattern.parse("users.auth0|abc123.**").matches("users.auth0|abc123.credits"));
    }

    @Test
    void every_sub_should_become_one_valid_segment_and_back() {
        for (String sub : SUBS) {
            String seg = Topic.segment(sub);
            assertTrue(Topic.isValid("users." + seg), sub + " -> " + seg);
            assertEquals(2, ("users." + seg).split("\\.").length, "one segment: " + seg);
            assertEquals(sub, Topic.unescape(seg));
        }
        assertEquals("001234%2E9a8b7c%2E0423", Topic.segment("001234.9a8b7c.0423"));
        assertEquals("a%2Ab", Topic.segment("a*b"));
        assertEquals("x%252Ey", Topic.segment("x%2Ey"), "a % is always escaped, so escapes never collide with ids");
    }

    @Test
    void different_subs_should_never_share_a_segment() {
        for (String a : SUBS) for (String b : SUBS) if (!a.equals(b)) assertNotEquals(Topic.segment(a), Topic.segment(b));
    }

    @Test
    void an_owner_should_read_exactly_their_own_topic() {
        AccessPolicy policy = AccessPolicy.defaults();
        assertTrue(policy.canRead("auth0|abc123", "users.auth0|abc123"));
        assertTrue(policy.canRead("001234.9a8b7c.0423", "users." + Topic.segment("001234.9a8b7c.0423")));
        // the sub "001234" must not read the topic of "001234.9a8b7c.0423" (a dotted sub once became a deeper topic)
        assertFalse(policy.canRead("001234", "users." + Topic.segment("001234.9a8b7c.0423")));
        assertFalse(policy.canRead("auth0|abc", "users.auth0|abc123"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"users.a#1", "users.a/b", "users.a b", "users.a%", "users.a%2", "users.a%2e", "users.a*", "users.\"a\"",
            "users.a\\b", "users.a?b", "users.{owner}"})
    void other_characters_should_be_refused_unless_escaped(String topic) {
        assertFalse(Topic.isValid(topic), topic);
    }

    @Test
    void wildcards_should_stay_whole_segments() {
        assertTrue(TopicPattern.parse("users.*").matches("users.auth0|abc123"));
        assertFalse(TopicPattern.parse("users.*").matches("users.001234.9a8b7c"));
        assertTrue(TopicPattern.parse("users.*").matches("users." + Topic.segment("001234.9a8b7c.0423")));
    }
}
