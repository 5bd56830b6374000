package io.herald.dynamodb.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.model.AttributeValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A table's definition as a journal record, and back. */
final class TableCodec {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TableCodec() {}

    static ObjectNode toJson(Table t) {
        ObjectNode o = F.objectNode();
        o.put("name", t.name).put("arn", t.arn).put("id", t.id).put("created", t.created);
        o.set("key", key(t.key));
        ObjectNode attrs = o.putObject("attributes");
        t.attributes.forEach((n, ty) -> attrs.put(n, ty.name()));
        ArrayNode idx = o.putArray("indexes");
        for (IndexDef d : t.indexes.values()) {
            ObjectNode i = idx.addObject();
            i.put("name", d.name()).put("global", d.global()).put("projection", d.projectionType());
            i.set("key", key(d.key()));
            ArrayNode nk = i.putArray("nonKey");
            if (d.nonKeyAttributes() != null) d.nonKeyAttributes().forEach(nk::add);
            i.put("read", d.readCapacity()).put("write", d.writeCapacity());
        }
        o.put("billing", t.billingMode).put("read", t.readCapacity).put("write", t.writeCapacity);
        o.put("deletionProtection", t.deletionProtection);
        if (t.stream != null) {
            o.put("streamView", t.stream.viewType).put("streamCreated", t.stream.createdMillis)
                    .put("streamStart", Long.parseLong(t.stream.startingSequence()));
        }
        if (t.ttlAttribute != null) o.put("ttlAttribute", t.ttlAttribute).put("ttlEnabled", t.ttlEnabled);
        ObjectNode tags = o.putObject("tags");
        t.tags.forEach(tags::put);
        return o;
    }

    static Table fromJson(JsonNode o, long nowMillis) {
        Map<String, AttributeValue.Type> attrs = new LinkedHashMap<>();
        o.get("attributes").fields().forEachRemaining(e -> attrs.put(e.getKey(), AttributeValue.Type.valueOf(e.getValue().asText())));
        Table t = new Table(o.get("name").asText(), o.get("arn").asText(), o.get("id").asText(), o.get("created").asDouble(), key(o.get("key")), attrs);
        for (JsonNode i : o.get("indexes")) {
            List<String> nonKey = new ArrayList<>();
            i.get("nonKey").forEach(n -> nonKey.add(n.asText()));
            t.addIndex(new IndexDef(i.get("name").asText(), i.get("global").asBoolean(), key(i.get("key")), i.get("projection").asText(),
                    nonKey.isEmpty() ? null : nonKey, i.get("read").asLong(), i.get("write").asLong(), "ACTIVE"));
        }
        t.billingMode = o.get("billing").asText();
        t.readCapacity = o.get("read").asLong();
        t.writeCapacity = o.get("write").asLong();
        t.deletionProtection = o.path("deletionProtection").asBoolean(false);
        if (o.hasNonNull("streamView")) {
            t.stream = new StreamLog(t.arn, t.name, o.get("streamView").asText(), o.path("streamCreated").asLong(nowMillis),
                    o.path("streamStart").asLong(0));
            t.streams.add(t.stream);
        }
        if (o.hasNonNull("ttlAttribute")) {
            t.ttl(o.get("ttlAttribute").asText(), o.get("ttlEnabled").asBoolean());
        }
        o.get("tags").fields().forEachRemaining(e -> t.tags.put(e.getKey(), e.getValue().asText()));
        return t;
    }

    private static ObjectNode key(KeySchema k) {
        ObjectNode o = F.objectNode().put("hash", k.hash()).put("hashType", k.hashType().name());
        if (k.range() != null) o.put("range", k.range()).put("rangeType", k.rangeType().name());
        return o;
    }

    private static KeySchema key(JsonNode o) {
        return new KeySchema(o.get("hash").asText(), AttributeValue.Type.valueOf(o.get("hashType").asText()),
                o.hasNonNull("range") ? o.get("range").asText() : null,
                o.hasNonNull("rangeType") ? AttributeValue.Type.valueOf(o.get("rangeType").asText()) : null);
    }
}
