package io.herald.core.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One stored message. {@code content} and {@code metadata} are gone (null) once it is deleted.
 *
 * @param id time-sortable and unique ({@link Ulid})
 * @param deliveredAt when it first reached a recipient's connection, or null
 * @param deletedBy   who deleted it, or null
 */
public record ChatMessage(String id, String conversationId, String senderId, String type, String content,
        ObjectNode metadata, Instant createdAt, Instant updatedAt, Instant deliveredAt, String deletedBy) {
    public boolean deleted() {
        return deletedBy != null;
    }
}
