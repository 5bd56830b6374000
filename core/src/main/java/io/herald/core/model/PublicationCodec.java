package io.herald.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.routing.TopicRouter;
import io.herald.core.topic.Topic;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads the canonical publication {@code {type, topics?, data, id?, metadata?}} and validates it. */
public final class PublicationCodec {
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_TOPICS = 20;

    private final TopicRouter router;

    public PublicationCodec(TopicRouter router) {
        this.router = router;
    }

    /** Reads a canonical publication document. */
    public Publication read(JsonNode doc) {
        if (doc == null || !doc.isObject()) throw new InvalidPublicationException("publication must be a JSON object");
        return build(doc.get("type"), doc, "type");
    }

    /**
     * Reads an EventBridge event: the type is {@code detail-type}, the rest is {@code detail}.
     */
    public Publication readEventBridge(JsonNode event) {
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject()) throw new InvalidPublicationException("detail must be a JSON object");
        return build(event.get("detail-type"), detail, "detail-type");
    }

    private Publication build(JsonNode typeNode, JsonNode doc, String typeField) {
        if (typeNode == null || !typeNode.isTextual() || typeNode.asText().isBlank()) {
            throw new InvalidPublicationException(typeField + " is required and must be a non-empty string");
        }
        String type = typeNode.asText();
        JsonNode dataNode = doc.get("data");
        if (dataNode != null && !dataNode.isNull() && !dataNode.isObject()) {
            throw new InvalidPublicationException("data must be a JSON object");
        }
        ObjectNode data = dataNode instanceof ObjectNode o ? o : Json.object();
        JsonNode metaNode = doc.get("metadata");
        if (metaNode != null && !metaNode.isNull() && !metaNode.isObject()) {
            throw new InvalidPublicationException("metadata must be a JSON object");
        }
        ObjectNode metadata = metaNode instanceof ObjectNode o ? o : null;

        String id = null;
        JsonNode idNode = doc.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!(idNode.isTextual() || idNode.isIntegralNumber()) || idNode.asText().isEmpty()) {
                throw new InvalidPublicationException("id must be a non-empty string");
            }
            id = idNode.asText();
            if (id.length() > MAX_ID_LENGTH) throw new InvalidPublicationException("id is longer than " + MAX_ID_LENGTH);
        }

        // a set, and the cap checked as each new topic arrives: a list of 32,000 topics costs the
        // 21 it takes to refuse it, not 32,000 squared comparisons
        Set<String> distinct = new LinkedHashSet<>();
        JsonNode topicsNode = doc.get("topics");
        if (topicsNode != null && !topicsNode.isNull()) {
            if (!topicsNode.isArray()) throw new InvalidPublicationException("topics must be an array of strings");
            for (JsonNode t : topicsNode) {
                if (!t.isTextual()) throw new InvalidPublicationException("topics must be an array of strings");
                if (distinct.contains(t.asText())) continue;
                if (distinct.size() == MAX_TOPICS) throw new InvalidPublicationException("more than " + MAX_TOPICS + " topics");
                String problem = Topic.problem(t.asText());
                if (problem != null) throw new InvalidPublicationException("topic '" + t.asText() + "': " + problem);
                distinct.add(t.asText());
            }
        }
        List<String> topics = distinct.isEmpty() ? router.route(type, data) : List.copyOf(distinct);
        if (topics.isEmpty()) {
            throw new InvalidPublicationException(
                    "no topics: give \"topics\" or data fields the routing rules know (user_id, raffle_id, eventId, ...)");
        }
        if (topics.size() > MAX_TOPICS) throw new InvalidPublicationException("more than " + MAX_TOPICS + " topics");
        return new Publication(id, type, topics, data, metadata);
    }
}
