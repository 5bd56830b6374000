package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;
import static io.herald.dynamodb.api.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.UpdateExpression;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.IndexDef;
import io.herald.dynamodb.storage.Table;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** PutItem, GetItem, UpdateItem, DeleteItem. */
final class ItemOps {
    static final List<String> CONDITION_EXPR = List.of("ConditionExpression");
    private final Database db;

    ItemOps(Database db) {
        this.db = db;
    }

    /** Shape checks common to single-item writes. */
    static void writeChecks(JsonNode req, String itemField, String[] returnValues) {
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 1);
        if (v.any()) v.throwIfAny();
        v.notNull(req.get(itemField), itemField.substring(0, 1).toLowerCase() + itemField.substring(1));
        v.oneOf(req.get("ReturnConsumedCapacity"), "returnConsumedCapacity", Violations.RETURN_CAPACITY);
        v.oneOf(req.get("ReturnItemCollectionMetrics"), "returnItemCollectionMetrics", Violations.RETURN_METRICS);
        v.oneOf(req.get("ReturnValues"), "returnValues", Violations.RETURN_VALUES);
        v.oneOf(req.get("ReturnValuesOnConditionCheckFailure"), "returnValuesOnConditionCheckFailure", Violations.ON_CONDITION_FAILURE);
        v.oneOf(req.get("ConditionalOperator"), "conditionalOperator", "AND", "OR");
        v.throwIfAny();
        String rv = text(req, "ReturnValues");
        if (rv != null && returnValues != null && !List.of(returnValues).contains(rv)) {
            throw DynamoDbError.validation("ReturnValues can only be ALL_OLD or NONE");
        }
    }

    /** The condition of a write: ConditionExpression, or the legacy Expected map. */
    static Predicate<Map<String, AttributeValue>> condition(Expressions ex, JsonNode req) {
        if (has(req, "Expected")) return LegacyParams.expected(req);
        return ex.condition("ConditionExpression");
    }

    static DynamoDbError conditionFailed(JsonNode req, Map<String, AttributeValue> old) {
        boolean withItem = "ALL_OLD".equals(text(req, "ReturnValuesOnConditionCheckFailure")) && old != null;
        return DynamoDbError.conditionFailed(withItem ? old : null);
    }

    /**
     * One conditional single-item write under the table's write lock: reads the current item,
     * checks the condition, stores {@code next.apply(old)} (or deletes when that is null) and
     * counts the capacity. Returns {old, new}. The journal is synced by {@link Api} once the
     * operation returns.
     */
    @SuppressWarnings("unchecked")
    private Map<String, AttributeValue>[] write(JsonNode req, Table t, Map<String, AttributeValue> key, Predicate<Map<String, AttributeValue>> cond,
            UnaryOperator<Map<String, AttributeValue>> next, Capacity cap) {
        t.lock().writeLock().lock();
        try {
            Map<String, AttributeValue> old = t.get(key);
            if (cond != null && !cond.test(old == null ? Map.of() : old)) throw conditionFailed(req, old);
            Map<String, AttributeValue> item = next.apply(old);
            if (item != null) db.put(t, item);
            else if (old != null) db.delete(t, key, false);
            cap.write(t, old, item, 1);
            return new Map[] {old, item};
        } finally {
            t.lock().writeLock().unlock();
        }
    }

    ObjectNode putItem(JsonNode req) {
        writeChecks(req, "Item", new String[] {"NONE", "ALL_OLD"});
        Expressions ex = new Expressions(req, CONDITION_EXPR, List.of("Expected"), CONDITION_EXPR);
        Map<String, AttributeValue> item = Nodes.readItem(req.get("Item"));
        Predicate<Map<String, AttributeValue>> cond = condition(ex, req);
        ex.done();
        Table t = db.require(req.get("TableName").asText());
        Keys.item(t, item);
        Capacity cap = new Capacity(t.name);
        Map<String, AttributeValue> old = write(req, t, t.key.keyOf(item), cond, o -> item, cap)[0];
        ObjectNode out = Nodes.object();
        if ("ALL_OLD".equals(text(req, "ReturnValues")) && old != null) out.set("Attributes", Nodes.item(old));
        finish(out, req, t, cap, item);
        return out;
    }

    ObjectNode deleteItem(JsonNode req) {
        writeChecks(req, "Key", new String[] {"NONE", "ALL_OLD"});
        Expressions ex = new Expressions(req, CONDITION_EXPR, List.of("Expected"), CONDITION_EXPR);
        Map<String, AttributeValue> key = Nodes.readItem(req.get("Key"));
        Predicate<Map<String, AttributeValue>> cond = condition(ex, req);
        ex.done();
        Table t = db.require(req.get("TableName").asText());
        Keys.key(t, key);
        Capacity cap = new Capacity(t.name);
        Map<String, AttributeValue> old = write(req, t, key, cond, o -> null, cap)[0];
        ObjectNode out = Nodes.object();
        if ("ALL_OLD".equals(text(req, "ReturnValues")) && old != null) out.set("Attributes", Nodes.item(old));
        finish(out, req, t, cap, key);
        return out;
    }

    ObjectNode updateItem(JsonNode req) {
        writeChecks(req, "Key", null);
        List<String> exprs = List.of("UpdateExpression", "ConditionExpression");
        Expressions ex = new Expressions(req, exprs, List.of("AttributeUpdates", "Expected"), exprs);
        Map<String, AttributeValue> key = Nodes.readItem(req.get("Key"));
        UpdateExpression update = has(req, "AttributeUpdates") ? LegacyParams.attributeUpdates(req) : ex.update();
        Predicate<Map<String, AttributeValue>> cond = condition(ex, req);
        ex.done();
        Table t = db.require(req.get("TableName").asText());
        Keys.key(t, key);
        Set<String> touched = update != null ? update.topLevelNames() : Set.of();
        for (String name : touched) {
            if (t.key.isKey(name)) {
                throw DynamoDbError.validation("One or more parameter values were invalid: Cannot update attribute " + name + ". This attribute is part of the key");
            }
        }
        Capacity cap = new Capacity(t.name);
        Map<String, AttributeValue>[] oldAndNew = write(req, t, key, cond, o -> updated(t, key, o, update), cap);
        Map<String, AttributeValue> old = oldAndNew[0], item = oldAndNew[1];
        ObjectNode out = Nodes.object();
        Map<String, AttributeValue> attrs = returnValues(text(req, "ReturnValues"), old, item, update);
        if (attrs != null && !attrs.isEmpty()) out.set("Attributes", Nodes.item(attrs));
        finish(out, req, t, cap, key);
        return out;
    }

    /** ReturnValues: UPDATED_* return just the paths the update wrote, with their nesting. */
    static Map<String, AttributeValue> returnValues(String mode, Map<String, AttributeValue> old, Map<String, AttributeValue> item, UpdateExpression update) {
        if (mode == null || mode.equals("NONE")) return null;
        return switch (mode) {
            case "ALL_OLD" -> old;
            case "ALL_NEW" -> item;
            case "UPDATED_OLD" -> old == null || update == null ? null : update.updatedAttributes().apply(old);
            case "UPDATED_NEW" -> update == null || item == null ? null : update.updatedAttributes().apply(item);
            default -> null;
        };
    }

    /** ConsumedCapacity and ItemCollectionMetrics, when asked for. */
    static void finish(ObjectNode out, JsonNode req, Table t, Capacity cap, Map<String, AttributeValue> keyOrItem) {
        ObjectNode c = cap.json(Capacity.mode(req));
        if (c != null) out.set("ConsumedCapacity", c);
        if ("SIZE".equals(text(req, "ReturnItemCollectionMetrics")) && hasLocalIndex(t)) {
            out.set("ItemCollectionMetrics", collectionMetrics(t, keyOrItem.get(t.key.hash())));
        }
    }

    /**
     * BatchWriteItem's and TransactWriteItems' ItemCollectionMetrics, when asked for: per table
     * with a local index, one entry for each item the request wrote there.
     */
    /**
     * An update applied to an item, or to its key alone when it is missing: the new item, checked.
     * Null when the update only takes away (REMOVE, DELETE) from a missing item: nothing is created,
     * as on DynamoDB. UpdateItem and a transaction's Update both go through here.
     */
    static Map<String, AttributeValue> updated(Table t, Map<String, AttributeValue> key, Map<String, AttributeValue> old,
            UpdateExpression update) {
        if (old == null && update != null && update.onlyRemoves()) return null;
        Map<String, AttributeValue> base = old != null ? old : new LinkedHashMap<>(key);
        Map<String, AttributeValue> next = update != null ? update.apply(base) : new LinkedHashMap<>(base);
        Keys.item(t, next);
        return next;
    }

    static void collectionMetrics(ObjectNode out, JsonNode req, List<Table> tables, List<Map<String, AttributeValue>> keys) {
        if (!"SIZE".equals(text(req, "ReturnItemCollectionMetrics"))) return;
        ObjectNode metrics = Nodes.object();
        for (int i = 0; i < tables.size(); i++) {
            Table t = tables.get(i);
            if (!hasLocalIndex(t)) continue;
            metrics.withArray(t.name).add(collectionMetrics(t, keys.get(i).get(t.key.hash())));
        }
        if (!metrics.isEmpty()) out.set("ItemCollectionMetrics", metrics);
    }

    /** Item collections (and their metrics) exist only for tables with a local secondary index. */
    static boolean hasLocalIndex(Table t) {
        return t.indexes.values().stream().anyMatch(d -> !d.global());
    }

    static ObjectNode collectionMetrics(Table t, AttributeValue hash) {
        ObjectNode m = Nodes.object();
        m.putObject("ItemCollectionKey").set(t.key.hash(), Nodes.value(hash));
        ArrayNode range = m.putArray("SizeEstimateRangeGB");
        range.add(0.0).add(1.0);
        return m;
    }

    // ---- GetItem ----

    ObjectNode getItem(JsonNode req) {
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 1);
        if (v.any()) v.throwIfAny();
        v.notNull(req.get("Key"), "key");
        v.oneOf(req.get("ReturnConsumedCapacity"), "returnConsumedCapacity", Violations.RETURN_CAPACITY);
        v.sizeAtLeast(req.get("AttributesToGet"), "attributesToGet", 1);
        v.throwIfAny();
        Expressions ex = new Expressions(req, List.of("ProjectionExpression"), List.of("AttributesToGet"), List.of());
        Map<String, AttributeValue> key = Nodes.readItem(req.get("Key"));
        UnaryOperator<Map<String, AttributeValue>> projection = ex.projection();
        ex.done();
        Table t = db.require(req.get("TableName").asText());
        Keys.key(t, key);
        boolean consistent = req.path("ConsistentRead").asBoolean(false);
        Map<String, AttributeValue> item = t.read(key);
        Capacity cap = new Capacity(t.name);
        cap.read(null, false, item == null ? 0 : io.herald.dynamodb.model.ItemSize.of(item), consistent, 1);
        ObjectNode out = Nodes.object();
        if (item != null) out.set("Item", Nodes.item(projection == null ? item : projection.apply(item)));
        ObjectNode c = cap.json(Capacity.mode(req));
        if (c != null) out.set("ConsumedCapacity", c);
        return out;
    }

    /** What an index holds of an item: its keys, the table's keys, and the projected attributes. */
    static Map<String, AttributeValue> project(Table t, IndexDef d, Map<String, AttributeValue> item) {
        if (d == null || d.projectionType().equals("ALL")) return item;
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            if (d.projects(t.key, e.getKey())) out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
