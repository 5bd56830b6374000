package io.herald.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicPatternTest {
    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
        // the topics document's own examples
        "messages.user.*, messages.user.123, true",
        "messages.user.*, messages.user.456, true",
        "messages.user.*, messages.channel.general, false",
        "messages.**, messages.user.123, true",
        "messages.**, messages.channel.general, true",
        "messages.**, messages.user.123.replies, true",
        // edges
        "messages.**, messages, false",            // ** is one or more
        "messages.user.*, messages.user, false",   // * is exactly one
        "messages.user.*, messages.user.1.2, false",
        "*, messages, true",
        "*, messages.user, false",
        "**, a, true",
        "**, a.b.c.d, true",
        "*.user.*, messages.user.9, true",
        "*.user.*, messages.group.9, false",
        "a.*.c.**, a.b.c.d, true",
        "a.*.c.**, a.b.c, false",
        "raffles.r-1, raffles.r-1, true",
        "raffles.r-1, raffles.r-12, false",
        "raffles.r-1, raffles.r-1.x, false",
    })
    void matches_should_follow_the_documented_wildcards(String pattern, String topic, boolean expected) {
        assertEquals(expected, TopicPattern.parse(pattern).matches(topic));
    }

    @Test
    void parse_should_reject_malformed_patterns_with_a_reason() {
        for (String bad : new String[] {"", "a..b", ".a", "a.", "a.**.b", "a b", "a/b", "x".repeat(1100)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse(bad), bad);
            assertNotNull(e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse(null));
    }

    @Test
    void literalPrefix_should_stop_at_the_first_wildcard() {
        assertEquals("messages.user", TopicPattern.parse("messages.user.*").literalPrefix());
        assertEquals("messages", TopicPattern.parse("messages.**").literalPrefix());
        assertEquals("", TopicPattern.parse("*.user").literalPrefix());
        assertEquals("a.b", TopicPattern.parse("a.b").literalPrefix());
        assertTrue(TopicPattern.parse("a.b").isExact());
        assertFalse(TopicPattern.parse("a.*").isExact());
    }

    @Test
    void wildcardTail_and_join_should_split_and_rebuild_every_pattern() {
        assertEquals("*", TopicPattern.parse("messages.user.*").wildcardTail());
        assertEquals("*.user.**", TopicPattern.parse("*.user.**").wildcardTail());
        assertEquals("", TopicPattern.parse("a.b").wildcardTail());
        for (String p : new String[] {"a", "a.b", "**", "*", "a.**", "a.*.c", "*.b.*", "a.b.*.d.**"}) {
            TopicPattern tp = TopicPattern.parse(p);
            assertEquals(tp, TopicPattern.join(tp.literalPrefix(), tp.wildcardTail()), p);
        }
    }

    @Test
    void wildcardPrefixesFor_should_cover_every_pattern_that_can_match() {
        assertEquals(List.of("", "a", "a.b"), TopicPattern.wildcardPrefixesFor("a.b.c"));
        assertEquals(List.of(""), TopicPattern.wildcardPrefixesFor("a"));
        // every matching wildcard pattern's prefix is among the topic's prefixes
        String topic = "messages.user.123";
        for (String p : new String[] {"**", "*", "messages.**", "messages.*.123", "messages.user.*", "*.user.*"}) {
            TopicPattern tp = TopicPattern.parse(p);
            if (tp.matches(topic)) assertTrue(TopicPattern.wildcardPrefixesFor(topic).contains(tp.literalPrefix()), p);
        }
    }

    @Test
    void topic_problem_should_refuse_wildcards_in_concrete_topics() {
        assertNull(Topic.problem("users.42"));
        assertNotNull(Topic.problem("users.*"));
        assertNotNull(Topic.problem("users.**"));
        assertNotNull(Topic.problem("users..1"));
    }
}
