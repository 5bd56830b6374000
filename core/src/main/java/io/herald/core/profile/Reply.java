package io.herald.core.profile;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.auth.Identity;

/** What Herald answers a client; each profile renders these in its own envelope, or stays silent. */
public sealed interface Reply {
    record AuthSucceeded(Identity identity) implements Reply {}

    record AuthFailed(String message) implements Reply {}

    record Subscribed(JsonNode echo) implements Reply {}

    record Unsubscribed(JsonNode echo) implements Reply {}

    record Pong() implements Reply {}

    record Stats(long connections, long subscriptions) implements Reply {}

    record Error(int code, String message, String field, String issue) implements Reply {
        public static Error of(int code, String message) {
            return new Error(code, message, null, null);
        }
    }
}
