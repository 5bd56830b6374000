package io.herald.core.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One piece of a tree fan-out, as it travels through the {@link FanOutQueue}. The publisher hands
 * out one {@link Shard} per subscription shard; the worker that reads a shard hands out
 * {@link Batch}es of connections sharing one frame; workers post the batches.
 */
public sealed interface FanOutTask {
    /** The largest task body: SQS's long-standing message limit, which every queue accepts. */
    int MAX_BODY_BYTES = 256 * 1024;

    String publicationId();

    /**
     * Read subscription shard {@code shard} of every topic of the publication, match, encode and
     * split into batches. A connection's subscriptions all live in one shard (hash of its id), so
     * one task sees every match of a connection and keeps it once, as the inline fan-out does.
     */
    record Shard(String publicationId, int shard, Publication publication) implements FanOutTask {}

    /**
     * Post {@code frame} to each connection. {@code key} is deterministic (publication, shard,
     * encoding, chunk), so the same batch handed out twice is recognised as one.
     */
    record Batch(String publicationId, String key, byte[] frame, List<String> connectionIds) implements FanOutTask {
        public Batch {
            connectionIds = List.copyOf(connectionIds);
        }
    }

    /**
     * The task's queue body: JSON, with the characters a queue of XML text refuses (U+FFFF in the
     * data, say) as {@code \\u} escapes ({@link Json#writeXmlSafe}); a frame travels in base64,
     * whatever bytes it holds.
     */
    static String write(FanOutTask task) {
        ObjectNode o = Json.object().put("pub", task.publicationId());
        if (task instanceof Shard s) {
            o.put("task", "shard").put("shard", s.shard());
            Publication p = s.publication();
            ObjectNode pj = o.putObject("publication");
            pj.put("id", p.id()).put("type", p.type());
            ArrayNode topics = pj.putArray("topics");
            p.topics().forEach(topics::add);
            pj.set("data", p.data());
            if (p.metadata() != null) pj.set("metadata", p.metadata());
        } else if (task instanceof Batch b) {
            o.put("task", "batch").put("key", b.key()).put("frame", Base64.getEncoder().encodeToString(b.frame()));
            ArrayNode ids = o.putArray("to");
            b.connectionIds().forEach(ids::add);
        }
        return Json.writeXmlSafe(o);
    }

    /**
     * Whether a batch's body stays within {@link #MAX_BODY_BYTES}. A bound (every character of the
     * ids, key and publication id escaped) settles the usual case; the body is measured only when
     * it does not.
     */
    static boolean fits(Batch b) {
        long bound = 64 + 4L * ((b.frame().length + 2) / 3) + 6L * (b.publicationId().length() + b.key().length());
        for (String id : b.connectionIds()) bound += 6L * id.length() + 3;
        return bound <= MAX_BODY_BYTES || write(b).getBytes(StandardCharsets.UTF_8).length <= MAX_BODY_BYTES;
    }

    /**
     * Reads a queue body.
     *
     * @throws IllegalArgumentException naming what is missing or malformed (the message stays on
     *     its queue and ends in the dead-letter queue, visible)
     */
    static FanOutTask read(String body) {
        JsonNode o;
        try {
            o = Json.parse(body);
        } catch (Json.MalformedJsonException e) {
            throw new IllegalArgumentException("fan-out task is not JSON: " + e.getMessage());
        }
        String pub = required(o, "pub");
        String kind = required(o, "task");
        switch (kind) {
            case "shard" -> {
                JsonNode pj = o.path("publication");
                if (!o.path("shard").canConvertToInt() || !pj.isObject() || !pj.path("data").isObject()) {
                    throw new IllegalArgumentException("shard task needs shard and publication{type, topics, data}");
                }
                List<String> topics = new ArrayList<>();
                pj.path("topics").forEach(t -> topics.add(t.asText()));
                Publication p = new Publication(Json.text(pj, "id"), required(pj, "type"), topics, (ObjectNode) pj.get("data"),
                        pj.path("metadata").isObject() ? (ObjectNode) pj.get("metadata") : null);
                return new Shard(pub, o.get("shard").asInt(), p);
            }
            case "batch" -> {
                List<String> ids = new ArrayList<>();
                o.path("to").forEach(t -> ids.add(t.asText()));
                byte[] frame;
                try {
                    frame = Base64.getDecoder().decode(required(o, "frame"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("batch task frame is not base64");
                }
                return new Batch(pub, required(o, "key"), frame, ids);
            }
            default -> throw new IllegalArgumentException("unknown fan-out task '" + kind + "'");
        }
    }

    private static String required(JsonNode o, String field) {
        String v = Json.text(o, field);
        if (v == null || v.isEmpty()) throw new IllegalArgumentException("fan-out task lacks " + field);
        return v;
    }
}
