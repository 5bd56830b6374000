package io.herald.core.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.topic.TopicPattern;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private final AccessPolicy policy = AccessPolicy.defaults();

    @Test
    void users_topics_should_be_private_to_their_owner_and_below() {
        assertTrue(policy.canRead("42", "users.42"));
        assertTrue(policy.canRead("42", "users.42.credits"));
        assertFalse(policy.canRead("43", "users.42"));
        assertFalse(policy.canRead(null, "users.42"));
        assertFalse(policy.canPublish("42", "users.42"));
    }

    @Test
    void wildcards_should_never_open_another_users_private_topic() {
        assertFalse(policy.canSubscribe("42", TopicPattern.parse("users.*")));
        assertFalse(policy.canSubscribe("42", TopicPattern.parse("users.**")));
        assertFalse(policy.canSubscribe("43", TopicPattern.parse("users.42.**")));
        assertTrue(policy.canSubscribe("42", TopicPattern.parse("users.42.**")));
        // "**" may be stored; fan-out re-checks each private topic it would deliver
        assertTrue(policy.canSubscribe("42", TopicPattern.parse("**")));
        assertFalse(policy.canRead("42", "users.43"));
    }

    /** Issue 11, item 22: the topics document's own example, messages.user.123.replies. */
    @Test
    void a_user_should_publish_below_their_own_messages_feed_and_nobody_else_should() {
        assertTrue(policy.canPublish("123", "messages.user.123"));
        assertTrue(policy.canPublish("123", "messages.user.123.replies"));
        assertTrue(policy.canPublish("123", "messages.user.123.replies.thread-7"));
        assertFalse(policy.canPublish("456", "messages.user.123.replies"));
        assertFalse(policy.canPublish(null, "messages.user.123.replies"));
        assertTrue(policy.canRead(null, "messages.user.123.replies"), "readable by anyone, like the feed itself");
        assertTrue(policy.canSubscribe("456", TopicPattern.parse("messages.user.123.**")));
    }

    @Test
    void conversations_should_need_membership() {
        assertFalse(policy.canRead("42", "conversations.c1"));
        AccessPolicy withMembers = policy.withMembership((u, g) -> u.equals("42") && g.equals("c1"));
        assertTrue(withMembers.canRead("42", "conversations.c1"));
        assertFalse(withMembers.canRead("43", "conversations.c1"));
        assertFalse(withMembers.canSubscribe("42", TopicPattern.parse("conversations.*")));
    }

    @Test
    void topics_document_flows_should_be_allowed() {
        assertTrue(policy.canSubscribe("u1", TopicPattern.parse("messages.**")));
        assertTrue(policy.canSubscribe("u1", TopicPattern.parse("messages.user.*")));
        assertTrue(policy.canSubscribe("u1", TopicPattern.parse("messages.user.u2")));
        assertTrue(policy.canPublish("u1", "messages.channel.general"));
        assertTrue(policy.canPublish("u1", "messages.user.u1"));
        assertFalse(policy.canPublish("u1", "messages.user.u2"));
        assertFalse(policy.canPublish(null, "messages.channel.general"));
        assertFalse(policy.canPublish("u1", "raffles.r1"));
    }

    @Test
    void public_topics_should_be_readable_by_anyone() {
        assertTrue(policy.canRead(null, "raffles.r-1"));
        assertTrue(policy.canRead("7", "events.123"));
    }

    @Test
    void parse_should_reject_bad_rules_clearly() {
        assertThrows(IllegalArgumentException.class, () -> AccessPolicy.parse("{}", Membership.NONE));
        assertThrows(IllegalArgumentException.class, () -> AccessPolicy.parse("[{\"read\":\"anyone\"}]", Membership.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> AccessPolicy.parse("[{\"topic\":\"a\",\"read\":\"everyone\"}]", Membership.NONE));
    }

    @Test
    void custom_rules_should_replace_the_defaults() {
        AccessPolicy p = AccessPolicy.parse("[{\"topic\":\"*\",\"below\":true,\"read\":\"authenticated\",\"publish\":\"authenticated\"}]",
                Membership.NONE);
        assertFalse(p.canRead(null, "raffles.1"));
        assertTrue(p.canRead("1", "users.2"));
        assertTrue(p.canPublish("1", "anything.here"));
    }
}
