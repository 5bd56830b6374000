package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** BatchGetItem and BatchWriteItem. Every request is processed; UnprocessedKeys/Items stay empty. */
final class BatchOps {
    private final Database db;

    BatchOps(Database db) {
        this.db = db;
    }

    /** BatchGetItem answers at most this much item data; the keys it did not reach come back as UnprocessedKeys. */
    static final long RESPONSE_BYTES = 16L * 1024 * 1024;

    ObjectNode batchGetItem(JsonNode req) {
        JsonNode items = req.get("RequestItems");
        if (items != null && !items.isNull() && !items.isObject()) throw new DynamoDbError("SerializationException", "Unexpected field type");
        if (items == null || items.isNull() || items.isEmpty()) throw DynamoDbError.validation("The requestItems parameter is required for BatchGetItem");
        Violations v = new Violations();
        v.oneOf(req.get("ReturnConsumedCapacity"), "returnConsumedCapacity", Violations.RETURN_CAPACITY);
        int total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = items.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode keys = e.getValue().get("Keys");
            v.notNull(keys, "requestItems." + e.getKey() + ".member.keys");
            if (keys != null && keys.size() > 100) v.sizeAtMost(keys, "RequestItems." + e.getKey() + ".member.Keys", 100, false);
            if (keys != null && keys.isEmpty()) v.sizeAtLeast(keys, "requestItems." + e.getKey() + ".member.keys", 1);
            if (keys != null) total += keys.size();
        }
        v.throwIfAny();
        if (total > 100) throw DynamoDbError.validation("Too many items requested for the BatchGetItem call");
        record Get(Table t, List<Map<String, AttributeValue>> keys, UnaryOperator<Map<String, AttributeValue>> projection, boolean consistent, JsonNode request) {}
        List<Get> gets = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = items.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = e.getValue();
            Expressions ex = new Expressions(r, List.of("ProjectionExpression"), List.of("AttributesToGet"), List.of());
            UnaryOperator<Map<String, AttributeValue>> p = ex.projection();
            ex.done();
            Table t = db.require(e.getKey());
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            Set<Map<String, AttributeValue>> seen = new HashSet<>();
            for (JsonNode k : r.get("Keys")) {
                Map<String, AttributeValue> key = Keys.key(t, Nodes.readItem(k));
                if (!seen.add(key)) throw DynamoDbError.validation("Provided list of item keys contains duplicates");
                keys.add(key);
            }
            gets.add(new Get(t, keys, p, r.path("ConsistentRead").asBoolean(false), r));
        }
        ObjectNode out = Nodes.object();
        ObjectNode responses = out.putObject("Responses");
        ObjectNode unprocessed = Nodes.object();
        ArrayNode caps = Nodes.F.arrayNode();
        long bytes = 0;
        boolean full = false;
        for (Get g : gets) {
            ArrayNode list = responses.putArray(g.t.name);
            Capacity cap = new Capacity(g.t.name);
            int done = 0;
            g.t.lock().readLock().lock();
            try {
                for (; !full && done < g.keys.size(); done++) {
                    Map<String, AttributeValue> item = g.t.get(g.keys.get(done));
                    long size = item == null ? 0 : ItemSize.of(item);
                    if (bytes + size > RESPONSE_BYTES) {
                        full = true; // this key and every one after it, in any table, come back unprocessed
                        break;
                    }
                    bytes += size;
                    cap.read(null, false, size, g.consistent, 1);
                    if (item != null) list.add(Nodes.item(g.projection == null ? item : g.projection.apply(item)));
                }
            } finally {
                g.t.lock().readLock().unlock();
            }
            if (done < g.keys.size()) {
                ObjectNode rest = ((ObjectNode) g.request).deepCopy();
                ArrayNode keys = rest.putArray("Keys");
                for (Map<String, AttributeValue> key : g.keys.subList(done, g.keys.size())) keys.add(Nodes.item(key));
                unprocessed.set(g.t.name, rest);
            }
            ObjectNode c = cap.json(Capacity.mode(req));
            if (c != null) caps.add(c);
        }
        out.set("UnprocessedKeys", unprocessed);
        if (!caps.isEmpty()) out.set("ConsumedCapacity", caps);
        return out;
    }

    ObjectNode batchWriteItem(JsonNode req) {
        JsonNode items = req.get("RequestItems");
        if (items != null && !items.isNull() && !items.isObject()) throw new DynamoDbError("SerializationException", "Unexpected field type");
        if (items == null || items.isNull() || items.isEmpty()) throw DynamoDbError.validation("The requestItems parameter is required for BatchWriteItem");
        Violations v = new Violations();
        v.oneOf(req.get("ReturnConsumedCapacity"), "returnConsumedCapacity", Violations.RETURN_CAPACITY);
        v.oneOf(req.get("ReturnItemCollectionMetrics"), "returnItemCollectionMetrics", Violations.RETURN_METRICS);
        int total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = items.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isArray()) throw new DynamoDbError("SerializationException", "Unexpected field type");
            int n = e.getValue().size();
            total += n;
            if (n > 25 || n < 1) {
                List<String> dump = new ArrayList<>();
                e.getValue().forEach(w -> dump.add("WriteRequest(" + w + ")"));
                v.raw("Value '{" + e.getKey() + "=[" + String.join(", ", dump) + "]}' at 'requestItems' failed to satisfy constraint: "
                        + "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
            }
        }
        v.throwIfAny();
        if (total > 25) throw DynamoDbError.validation("Too many items requested for the BatchWriteItem call");
        record Write(Table t, Map<String, AttributeValue> item, Map<String, AttributeValue> key) {}
        List<Write> writes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = items.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Table t = db.require(e.getKey());
            Set<Map<String, AttributeValue>> seen = new HashSet<>();
            for (JsonNode w : e.getValue()) {
                boolean put = has(w, "PutRequest"), del = has(w, "DeleteRequest");
                if (put == del) {
                    throw DynamoDbError.validation("Supplied WriteRequest has " + (put ? "more than one" : "no") + " request set, must contain exactly one of PutRequest or DeleteRequest");
                }
                Map<String, AttributeValue> item = null, key;
                if (put) {
                    item = Nodes.readItem(w.get("PutRequest").get("Item"));
                    Keys.item(t, item);
                    key = t.key.keyOf(item);
                } else {
                    key = Keys.key(t, Nodes.readItem(w.get("DeleteRequest").get("Key")));
                }
                if (!seen.add(key)) throw DynamoDbError.validation("Provided list of item keys contains duplicates");
                writes.add(new Write(t, item, key));
            }
        }
        Map<String, Capacity> caps = new java.util.LinkedHashMap<>();
        for (Write w : writes) {
            Capacity cap = caps.computeIfAbsent(w.t.name, Capacity::new);
            w.t.lock().writeLock().lock();
            try {
                Map<String, AttributeValue> old = w.item != null ? db.put(w.t, w.item) : db.delete(w.t, w.key, false);
                cap.write(w.t, old, w.item, 1);
            } finally {
                w.t.lock().writeLock().unlock();
            }
        }
        ObjectNode out = Nodes.object();
        out.putObject("UnprocessedItems");
        ItemOps.collectionMetrics(out, req, writes.stream().map(Write::t).toList(), writes.stream().map(Write::key).toList());
        String mode = Capacity.mode(req);
        if (mode != null && !mode.equals("NONE")) {
            ArrayNode a = out.putArray("ConsumedCapacity");
            caps.values().forEach(c -> a.add(c.json(mode)));
        }
        return out;
    }
}
