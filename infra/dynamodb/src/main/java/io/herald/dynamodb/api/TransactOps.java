package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;
import static io.herald.dynamodb.api.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.DynamoDbError.CancellationReason;
import io.herald.dynamodb.expr.UpdateExpression;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * TransactWriteItems and TransactGetItems: every table involved is write-locked in name order,
 * all conditions are checked, and either every action applies or none does.
 */
final class TransactOps {
    private static final long TOKEN_MILLIS = 10 * 60 * 1000;
    private static final List<String> KINDS = List.of("ConditionCheck", "Put", "Delete", "Update");
    private final Database db;
    /** ClientRequestToken → a digest of the request it came with, whether it finished, and when; ten minutes. */
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile long lastPrune;


    private record Token(String digest, boolean done, long at) {}

    TransactOps(Database db) {
        this.db = db;
    }

    private static void sizeChecks(JsonNode req) {
        Violations v = new Violations();
        JsonNode items = req.get("TransactItems");
        if (items != null && !items.isNull() && (!items.isArray() || java.util.stream.StreamSupport.stream(items.spliterator(), false).anyMatch(x -> !x.isObject()))) {
            throw new DynamoDbError("SerializationException", "Unexpected field type");
        }
        v.notNull(items, "transactItems");
        if (items != null && items.isArray()) {
            if (items.isEmpty()) v.add("'[]'", "transactItems", "have length greater than or equal to 1");
            if (items.size() > 100) v.add(Violations.quoted(items), "transactItems", "have length less than or equal to 100");
        }
        v.oneOf(req.get("ReturnConsumedCapacity"), "returnConsumedCapacity", Violations.RETURN_CAPACITY);
        v.oneOf(req.get("ReturnItemCollectionMetrics"), "returnItemCollectionMetrics", Violations.RETURN_METRICS);
        v.lengthBetween(req.get("ClientRequestToken"), "clientRequestToken", 1, 36);
        v.throwIfAny();
    }

    /** One parsed write action. */
    private static final class Action {
        String kind;
        Table table;
        JsonNode body;
        Map<String, AttributeValue> key;
        Map<String, AttributeValue> item; // Put
        UpdateExpression update;
        Predicate<Map<String, AttributeValue>> condition;
        DynamoDbError invalid; // a per-action validation error, reported as a cancellation reason
    }

    ObjectNode transactWriteItems(JsonNode req) {
        sizeChecks(req);
        String token = text(req, "ClientRequestToken");
        if (token != null) {
            long now = db.now();
            if (now - lastPrune > 1000) {
                lastPrune = now;
                tokens.values().removeIf(t -> now - t.at > TOKEN_MILLIS);
            }
            String digest = digest(req.get("TransactItems"));
            // claimed atomically: of concurrent requests with one token, exactly one runs
            Token seen = tokens.putIfAbsent(token, new Token(digest, false, now));
            if (seen != null) {
                if (!seen.digest.equals(digest)) {
                    throw new DynamoDbError("IdempotentParameterMismatchException",
                            "Request parameters do not match the parameters of a previous request with the same ClientRequestToken");
                }
                if (!seen.done) throw new DynamoDbError("TransactionInProgressException", "Transaction is ongoing for the idempotency token");
                return repeated(req); // already applied: the same success, nothing applied twice
            }
            try {
                ObjectNode out = write(req);
                tokens.put(token, new Token(digest, true, db.now()));
                return out;
            } catch (RuntimeException e) {
                tokens.remove(token); // a failed request may be retried with its token
                throw e;
            }
        }
        return write(req);
    }

    /**
     * The answer to a request whose token already succeeded. DynamoDB documents that such a repeat
     * reports the read capacity of reading the items, not the writes: here a transactional read of
     * each item as it is now.
     */
    private ObjectNode repeated(JsonNode req) {
        Map<String, Capacity> caps = new LinkedHashMap<>();
        String mode = Capacity.mode(req);
        if (mode == null || mode.equals("NONE")) return respond(req, caps);
        for (JsonNode ti : req.get("TransactItems")) {
            for (String kind : KINDS) {
                JsonNode b = ti.get(kind);
                Table t = b == null ? null : db.find(b.path("TableName").asText());
                if (t == null) continue;
                Map<String, AttributeValue> key = kind.equals("Put") ? t.key.keyOf(Nodes.readItem(b.get("Item"))) : Nodes.readItem(b.get("Key"));
                Map<String, AttributeValue> item = t.read(key);
                caps.computeIfAbsent(t.name, Capacity::new).read(null, false, item == null ? 0 : ItemSize.of(item), true, 2);
            }
        }
        return respond(req, caps);
    }

    private static String digest(JsonNode items) {
        try {
            // canonical form: the same parameters in another field order are the same request
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(io.herald.dynamodb.model.JsonTrees.canonicalBytes(items));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode write(JsonNode req) {
        List<Action> actions = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (JsonNode ti : req.get("TransactItems")) {
            Action a = new Action();
            int kinds = 0;
            for (String k : KINDS) {
                if (has(ti, k)) {
                    a.kind = k;
                    kinds++;
                }
            }
            if (kinds != 1) throw DynamoDbError.validation("TransactItems can only contain one of Check, Put, Update or Delete");
            a.body = ti.get(a.kind);
            Violations v = new Violations();
            v.tableName(a.body.get("TableName"), "transactItems.1.member." + Character.toLowerCase(a.kind.charAt(0)) + a.kind.substring(1) + ".tableName", 1);
            v.oneOf(a.body.get("ReturnValuesOnConditionCheckFailure"), "returnValuesOnConditionCheckFailure", Violations.ON_CONDITION_FAILURE);
            v.throwIfAny();
            parse(a);
            a.table = db.require(a.body.get("TableName").asText());
            try {
                if (a.kind.equals("Put")) {
                    Keys.item(a.table, a.item);
                    a.key = a.table.key.keyOf(a.item);
                } else {
                    Keys.key(a.table, a.key);
                }
                if (a.update != null) {
                    for (String n : a.update.topLevelNames()) {
                        if (a.table.key.isKey(n)) {
                            throw DynamoDbError.validation("One or more parameter values were invalid: Cannot update attribute " + n + ". This attribute is part of the key");
                        }
                    }
                }
            } catch (DynamoDbError e) {
                a.invalid = e;
            }
            if (a.key != null && !targets.add(a.table.name + "\u0000" + a.table.key.keyOf(a.key))) {
                throw DynamoDbError.validation("Transaction request cannot include multiple operations on one item");
            }
            actions.add(a);
        }
        long bytes = 0;
        for (Action a : actions) if (a.item != null) bytes += ItemSize.of(a.item);
        if (bytes > 4L * 1024 * 1024) throw DynamoDbError.validation("Transaction request cannot be larger than 4 MB");
        if (actions.stream().anyMatch(a -> a.invalid != null)) {
            // DynamoDB names the first invalid action only; the rest, valid or not, read None
            List<CancellationReason> reasons = new ArrayList<>();
            boolean named = false;
            for (Action a : actions) {
                boolean first = a.invalid != null && !named;
                named |= first;
                reasons.add(first ? new CancellationReason("ValidationError", a.invalid.getMessage(), null) : CancellationReason.NONE);
            }
            throw cancelled(reasons);
        }
        TreeMap<String, Table> locked = new TreeMap<>();
        actions.forEach(a -> locked.put(a.table.name, a.table));
        locked.values().forEach(t -> t.lock().writeLock().lock());
        Map<String, Capacity> caps = new LinkedHashMap<>();
        try {
            for (Action a : actions) {
                // a table deleted (or deleted and recreated) since the actions were resolved
                if (locked.get(a.table.name) != a.table || a.table.dropped) throw DynamoDbError.notFound("Requested resource not found");
            }
            List<CancellationReason> reasons = new ArrayList<>();
            boolean failed = false;
            List<Map<String, AttributeValue>> newItems = new ArrayList<>();
            for (Action a : actions) {
                Map<String, AttributeValue> old = a.table.get(a.key);
                CancellationReason reason = CancellationReason.NONE;
                Map<String, AttributeValue> next = null;
                if (a.condition != null && !a.condition.test(old == null ? Map.of() : old)) {
                    boolean withItem = "ALL_OLD".equals(text(a.body, "ReturnValuesOnConditionCheckFailure")) && old != null;
                    reason = new CancellationReason("ConditionalCheckFailed", "The conditional request failed", withItem ? old : null);
                    failed = true;
                } else if (a.kind.equals("Update")) {
                    try {
                        next = ItemOps.updated(a.table, a.key, old, a.update); // null: nothing to create
                    } catch (DynamoDbError e) {
                        reason = new CancellationReason("ValidationError", e.getMessage(), null);
                        failed = true;
                    }
                } else if (a.kind.equals("Put")) {
                    next = a.item;
                }
                reasons.add(reason);
                newItems.add(next);
            }
            if (failed) throw cancelled(reasons);
            db.atomically(() -> applyAll(actions, newItems, caps));
        } finally {
            locked.descendingMap().values().forEach(t -> t.lock().writeLock().unlock());
        }
        ObjectNode out = respond(req, caps);
        List<Action> written = actions.stream().filter(a -> !a.kind.equals("ConditionCheck")).toList();
        ItemOps.collectionMetrics(out, req, written.stream().map(a -> a.table).toList(), written.stream().map(a -> a.key).toList());
        return out;
    }

    /** Applies every action; the journal receives them as one record. */
    private void applyAll(List<Action> actions, List<Map<String, AttributeValue>> newItems, Map<String, Capacity> caps) {
        for (int i = 0; i < actions.size(); i++) {
            Action a = actions.get(i);
            Capacity cap = caps.computeIfAbsent(a.table.name, Capacity::new);
            Map<String, AttributeValue> old;
            switch (a.kind) {
                case "Put", "Update" -> old = newItems.get(i) == null ? null : db.put(a.table, newItems.get(i));
                case "Delete" -> old = db.delete(a.table, a.key, false);
                default -> {
                    old = a.table.get(a.key);
                    cap.read(null, false, old == null ? 0 : ItemSize.of(old), true, 2);
                    continue;
                }
            }
            cap.write(a.table, old, newItems.get(i), 2);
        }
    }

    private ObjectNode respond(JsonNode req, Map<String, Capacity> caps) {
        ObjectNode out = Nodes.object();
        String mode = Capacity.mode(req);
        if (mode != null && !mode.equals("NONE")) {
            ArrayNode a = out.putArray("ConsumedCapacity");
            caps.values().forEach(c -> a.add(c.json(mode)));
        }
        return out;
    }

    private static void parse(Action a) {
        JsonNode b = a.body;
        List<String> exprs = a.kind.equals("Update") ? List.of("UpdateExpression", "ConditionExpression") : List.of("ConditionExpression");
        Expressions ex = new Expressions(b, exprs, a.kind.equals("Update") ? List.of("AttributeUpdates", "Expected") : List.of("Expected"), exprs);
        if (a.kind.equals("Put")) {
            a.item = Nodes.readItem(b.get("Item"));
        } else {
            a.key = Nodes.readItem(b.get("Key"));
        }
        if (a.kind.equals("Update")) {
            a.update = has(b, "AttributeUpdates") ? LegacyParams.attributeUpdates(b) : ex.update();
            if (a.update == null) throw DynamoDbError.validation("1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null");
        }
        if (a.kind.equals("ConditionCheck") && !has(b, "ConditionExpression")) {
            throw DynamoDbError.validation("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null");
        }
        a.condition = ItemOps.condition(ex, b);
        ex.done();
    }

    static DynamoDbError cancelled(List<CancellationReason> reasons) {
        List<String> codes = reasons.stream().map(CancellationReason::code).toList();
        return new DynamoDbError("TransactionCanceledException",
                "Transaction cancelled, please refer cancellation reasons for specific reasons [" + String.join(", ", codes) + "]", 400, null, reasons);
    }

    ObjectNode transactGetItems(JsonNode req) {
        sizeChecks(req);
        record Get(Table t, Map<String, AttributeValue> key, UnaryOperator<Map<String, AttributeValue>> projection, DynamoDbError invalid) {}
        List<Get> gets = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (JsonNode ti : req.get("TransactItems")) {
            JsonNode g = ti.get("Get");
            if (g == null) throw DynamoDbError.validation("1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null");
            Expressions ex = new Expressions(g, List.of("ProjectionExpression"), List.of(), List.of());
            UnaryOperator<Map<String, AttributeValue>> p = ex.projection();
            ex.done();
            Map<String, AttributeValue> key = Nodes.readItem(g.get("Key"));
            Table t = db.require(g.path("TableName").asText());
            DynamoDbError invalid = null;
            try {
                Keys.key(t, key);
            } catch (DynamoDbError e) {
                invalid = e;
            }
            if (invalid == null && !targets.add(t.name + "\u0000" + t.key.keyOf(key))) {
                throw DynamoDbError.validation("Transaction request cannot include multiple operations on one item");
            }
            gets.add(new Get(t, key, p, invalid));
        }
        if (gets.stream().anyMatch(g -> g.invalid != null)) {
            List<CancellationReason> reasons = new ArrayList<>();
            for (Get g : gets) reasons.add(g.invalid == null ? CancellationReason.NONE : new CancellationReason("ValidationError", g.invalid.getMessage(), null));
            throw cancelled(reasons);
        }
        TreeMap<String, Table> locked = new TreeMap<>();
        gets.forEach(g -> locked.put(g.t.name, g.t));
        locked.values().forEach(t -> t.lock().readLock().lock());
        ObjectNode out = Nodes.object();
        ArrayNode responses = out.putArray("Responses");
        Map<String, Capacity> caps = new LinkedHashMap<>();
        try {
            for (Get g : gets) {
                Map<String, AttributeValue> item = g.t.get(g.key);
                caps.computeIfAbsent(g.t.name, Capacity::new).read(null, false, item == null ? 0 : ItemSize.of(item), true, 2);
                ObjectNode r = responses.addObject();
                if (item != null) r.set("Item", Nodes.item(g.projection == null ? item : g.projection.apply(item)));
            }
        } finally {
            locked.descendingMap().values().forEach(t -> t.lock().readLock().unlock());
        }
        String mode = Capacity.mode(req);
        if (mode != null && !mode.equals("NONE")) {
            ArrayNode a = out.putArray("ConsumedCapacity");
            caps.values().forEach(c -> a.add(c.json(mode)));
        }
        return out;
    }
}
