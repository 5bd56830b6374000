package io.herald.core.chat;

import java.time.Instant;
import java.util.List;

/** A conversation as its backend declared it. */
public record Conversation(String id, List<String> members, Instant createdAt, Instant updatedAt) {
    public Conversation {
        members = List.copyOf(members);
    }

    public boolean hasMember(String userId) {
        return members.contains(userId);
    }
}
