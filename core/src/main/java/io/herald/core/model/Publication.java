package io.herald.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The canonical event: what a backend publishes and every profile renders.
 *
 * @param id       idempotency key; null when the publisher gave none
 * @param type     the event type the client sees (e.g. {@code box_purchased})
 * @param topics   concrete topics, already validated or derived by routing
 * @param data     the event payload (a JSON object)
 * @param metadata optional publisher metadata (sender ids for client-published messages)
 */
public record Publication(String id, String type, List<String> topics, ObjectNode data, ObjectNode metadata) {
    public Publication {
        topics = List.copyOf(topics);
    }

    /** A data field as a scalar string (numbers included), or null. */
    public String field(String name) {
        JsonNode v = data.get(name);
        if (v == null || v.isNull() || v.isContainerNode()) return null;
        return v.asText();
    }
}
