package io.herald.core.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One step a client's message passes before it is stored. The steps run in order; each returns
 * the draft to go on with (a later step may mask content) or throws {@link ChatException}, and
 * nothing is stored or delivered. {@link MessageRules} is the first; rate limits and content
 * protection (issue 14) are further steps.
 */
@FunctionalInterface
public interface MessageCheck {
    Draft check(Draft draft, Instant now);

    /** A message as the client sent it, after decoding. */
    record Draft(String conversationId, String senderId, String type, String content, ObjectNode metadata) {
        public Draft withContent(String c) {
            return new Draft(conversationId, senderId, type, c, metadata);
        }
    }
}
