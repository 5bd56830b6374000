package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;
import static io.herald.dynamodb.api.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.IndexDef;
import io.herald.dynamodb.storage.KeySchema;
import io.herald.dynamodb.storage.StreamLog;
import io.herald.dynamodb.storage.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Control-plane operations: tables, indexes, streams settings, TTL settings, tags. */
final class TableOps {
    private static final String INVALID = "One or more parameter values were invalid: ";
    private final Database db;

    TableOps(Database db) {
        this.db = db;
    }

    static void requireParameter(JsonNode req, String name) {
        if (!has(req, name)) throw DynamoDbError.validation("The parameter '" + name + "' is required but was not present in the request");
    }

    // ---- CreateTable ----

    ObjectNode createTable(JsonNode req) {
        requireParameter(req, "TableName");
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 3);
        v.notNull(req.get("AttributeDefinitions"), "attributeDefinitions");
        JsonNode ks = req.get("KeySchema");
        v.notNull(ks, "keySchema");
        for (String list : List.of("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")) {
            JsonNode n = req.get(list);
            if (n != null && !n.isNull() && (!n.isArray() || java.util.stream.StreamSupport.stream(n.spliterator(), false).anyMatch(x -> !x.isObject()))) {
                throw new DynamoDbError("SerializationException", "Unexpected field type");
            }
        }
        if (ks != null && ks.isArray()) {
            if (ks.size() > 2) v.add(keySchemaText(ks), "keySchema", "have length less than or equal to 2");
            if (ks.size() < 1) v.add("'[]'", "keySchema", "have length greater than or equal to 1");
            keyElements(v, ks, "keySchema");
        }
        JsonNode defs = req.get("AttributeDefinitions");
        if (defs != null && defs.isArray()) {
            for (int i = 0; i < defs.size(); i++) {
                JsonNode d = defs.get(i);
                v.notNull(d.get("AttributeName"), "attributeDefinitions." + (i + 1) + ".member.attributeName");
                v.notNull(d.get("AttributeType"), "attributeDefinitions." + (i + 1) + ".member.attributeType");
                v.oneOf(d.get("AttributeType"), "attributeDefinitions." + (i + 1) + ".member.attributeType", "B", "N", "S");
                v.lengthBetween(d.get("AttributeName"), "attributeDefinitions." + (i + 1) + ".member.attributeName", 1, 255);
            }
        } else if (defs != null && !defs.isNull()) {
            throw new DynamoDbError("SerializationException", "Unexpected field type");
        }
        v.oneOf(req.get("BillingMode"), "billingMode", "PROVISIONED", "PAY_PER_REQUEST");
        throughputChecks(v, req.get("ProvisionedThroughput"), "provisionedThroughput");
        indexChecks(v, req.get("GlobalSecondaryIndexes"), "globalSecondaryIndexes");
        indexChecks(v, req.get("LocalSecondaryIndexes"), "localSecondaryIndexes");
        JsonNode stream = req.get("StreamSpecification");
        if (stream != null) v.oneOf(stream.get("StreamViewType"), "streamSpecification.streamViewType", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY");
        v.throwIfAny();

        String name = req.get("TableName").asText();
        Map<String, AttributeValue.Type> attrs = new LinkedHashMap<>();
        for (JsonNode d : defs) attrs.put(d.get("AttributeName").asText(), AttributeValue.Type.valueOf(d.get("AttributeType").asText()));
        KeySchema key = keySchema(ks, attrs, null);
        String billing = req.path("BillingMode").asText("PROVISIONED");
        JsonNode pt = req.get("ProvisionedThroughput");
        if (billing.equals("PROVISIONED")) {
            if (pt == null || pt.isNull()) throw DynamoDbError.validation(INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        } else if (pt != null && !pt.isNull()) {
            throw DynamoDbError.validation(INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        }

        List<IndexDef> indexes = new ArrayList<>();
        Set<String> used = new HashSet<>(List.of(key.hash()));
        if (key.hasRange()) used.add(key.range());
        Set<String> names = new HashSet<>();
        JsonNode lsis = req.get("LocalSecondaryIndexes");
        if (lsis != null && !lsis.isNull()) {
            if (!key.hasRange()) throw DynamoDbError.validation(INVALID + "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
            if (lsis.size() == 0) throw DynamoDbError.validation(INVALID + "List of LocalSecondaryIndexes is empty");
            if (lsis.size() > 5) throw DynamoDbError.validation(INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
            for (JsonNode l : lsis) {
                IndexDef d = index(l, attrs, false, billing, key);
                if (!names.add(d.name())) throw DynamoDbError.validation(INVALID + "Duplicate index name: " + d.name());
                if (!d.key().hash().equals(key.hash())) {
                    throw DynamoDbError.validation(INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                            + d.name() + ". index hash key: " + d.key().hash() + ", table hash key: " + key.hash());
                }
                if (!d.key().hasRange()) throw DynamoDbError.validation(INVALID + "Index KeySchema does not have a range key for index: " + d.name());
                indexes.add(d);
                used.add(d.key().range());
            }
        }
        JsonNode gsis = req.get("GlobalSecondaryIndexes");
        if (gsis != null && !gsis.isNull()) {
            if (gsis.size() == 0) throw DynamoDbError.validation(INVALID + "List of GlobalSecondaryIndexes is empty");
            if (gsis.size() > 20) throw DynamoDbError.validation(INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20");
            for (JsonNode g : gsis) {
                IndexDef d = index(g, attrs, true, billing, key);
                if (!names.add(d.name())) throw DynamoDbError.validation(INVALID + "Duplicate index name: " + d.name());
                indexes.add(d);
                used.add(d.key().hash());
                if (d.key().hasRange()) used.add(d.key().range());
            }
        }
        if (!used.equals(attrs.keySet())) {
            throw DynamoDbError.validation(INVALID + "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }
        long now = db.now();
        Table t = new Table(name, db.tableArn(name), UUID.randomUUID().toString(), now / 1000.0, key, attrs);
        t.billingMode = billing;
        if (pt != null && !pt.isNull()) {
            t.readCapacity = pt.path("ReadCapacityUnits").asLong();
            t.writeCapacity = pt.path("WriteCapacityUnits").asLong();
        }
        indexes.forEach(t::addIndex);
        if (stream != null && stream.path("StreamEnabled").asBoolean(false)) {
            if (!has(stream, "StreamViewType")) throw DynamoDbError.validation(INVALID + "StreamViewType is required when StreamEnabled is true");
            t.stream = new StreamLog(t.arn, name, stream.get("StreamViewType").asText(), uniqueMillis(now));
            t.streams.add(t.stream);
        }
        t.deletionProtection = req.path("DeletionProtectionEnabled").asBoolean(false);
        JsonNode tags = req.get("Tags");
        if (tags != null) tags.forEach(tag -> t.tags.put(tag.path("Key").asText(), tag.path("Value").asText()));
        if (!db.create(t)) throw DynamoDbError.inUse("Table already exists: " + name);
        ObjectNode out = Nodes.object();
        out.set("TableDescription", describe(t));
        return out;
    }

    private static long lastStreamMillis;

    /** Stream labels are creation times; two streams never share one. */
    private static synchronized long uniqueMillis(long now) {
        lastStreamMillis = Math.max(now, lastStreamMillis + 1);
        return lastStreamMillis;
    }

    private static String keySchemaText(JsonNode ks) {
        List<String> parts = new ArrayList<>();
        for (JsonNode e : ks) parts.add("KeySchemaElement(attributeName=" + e.path("AttributeName").asText() + ", keyType=" + e.path("KeyType").asText() + ")");
        return "'[" + String.join(", ", parts) + "]'";
    }

    private static void keyElements(Violations v, JsonNode ks, String path) {
        for (int i = 0; i < ks.size(); i++) {
            v.oneOf(ks.get(i).get("KeyType"), path + "." + (i + 1) + ".member.keyType", "HASH", "RANGE");
            v.lengthBetween(ks.get(i).get("AttributeName"), path + "." + (i + 1) + ".member.attributeName", 1, 255);
        }
    }

    private static void throughputChecks(Violations v, JsonNode pt, String path) {
        if (pt == null || pt.isNull()) return;
        v.notNull(pt.get("ReadCapacityUnits"), path + ".readCapacityUnits");
        v.atLeast(pt.get("ReadCapacityUnits"), path + ".readCapacityUnits", 1);
        v.notNull(pt.get("WriteCapacityUnits"), path + ".writeCapacityUnits");
        v.atLeast(pt.get("WriteCapacityUnits"), path + ".writeCapacityUnits", 1);
    }

    private static void indexChecks(Violations v, JsonNode list, String path) {
        if (list == null || list.isNull()) return;
        for (int i = 0; i < list.size(); i++) {
            JsonNode ix = list.get(i);
            String p = path + "." + (i + 1) + ".member";
            v.notNull(ix.get("IndexName"), p + ".indexName");
            v.indexName(ix.get("IndexName"), p + ".indexName");
            v.notNull(ix.get("KeySchema"), p + ".keySchema");
            v.notNull(ix.get("Projection"), p + ".projection");
            JsonNode ks = ix.get("KeySchema");
            if (ks != null && ks.isArray()) {
                if (ks.size() > 2) v.add(keySchemaText(ks), p + ".keySchema", "have length less than or equal to 2");
                keyElements(v, ks, p + ".keySchema");
            }
            JsonNode pr = ix.get("Projection");
            if (pr != null) v.oneOf(pr.get("ProjectionType"), p + ".projection.projectionType", "ALL", "KEYS_ONLY", "INCLUDE");
            throughputChecks(v, ix.get("ProvisionedThroughput"), p + ".provisionedThroughput");
        }
    }

    private static KeySchema keySchema(JsonNode ks, Map<String, AttributeValue.Type> attrs, String indexName) {
        String hash = null, range = null;
        for (int i = 0; i < ks.size(); i++) {
            String n = ks.get(i).path("AttributeName").asText();
            String type = ks.get(i).path("KeyType").asText();
            if (i == 0 && !type.equals("HASH")) throw DynamoDbError.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
            if (i == 1 && !type.equals("RANGE")) throw DynamoDbError.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
            if (i == 0) hash = n;
            else range = n;
        }
        // AWS words a repeated key attribute as a missing definition: the schema needs two, one is defined
        if (range != null && range.equals(hash)) throw DynamoDbError.validation("Invalid KeySchema: Some index key attribute have no definition");
        if (!attrs.containsKey(hash) || range != null && !attrs.containsKey(range)) {
            if (indexName == null) throw DynamoDbError.validation("Invalid KeySchema: Some index key attribute have no definition");
            List<String> keys = new ArrayList<>();
            keys.add(hash);
            if (range != null) keys.add(range);
            throw DynamoDbError.validation(INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: ["
                    + String.join(", ", keys) + "], AttributeDefinitions: [" + String.join(", ", attrs.keySet()) + "]");
        }
        return new KeySchema(hash, attrs.get(hash), range, range == null ? null : attrs.get(range));
    }

    private static IndexDef index(JsonNode ix, Map<String, AttributeValue.Type> attrs, boolean global, String billing, KeySchema tableKey) {
        String name = ix.get("IndexName").asText();
        KeySchema key = keySchema(ix.get("KeySchema"), attrs, name);
        JsonNode pr = ix.get("Projection");
        String type = pr.path("ProjectionType").asText("");
        if (type.isEmpty()) throw DynamoDbError.validation(INVALID + "Unknown ProjectionType: null");
        List<String> nonKey = null;
        if (has(pr, "NonKeyAttributes")) {
            if (!type.equals("INCLUDE")) throw DynamoDbError.validation(INVALID + "ProjectionType is " + type + ", but NonKeyAttributes is specified");
            nonKey = Nodes.strings(pr.get("NonKeyAttributes"));
        } else if (type.equals("INCLUDE")) {
            throw DynamoDbError.validation(INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
        }
        long read = 0, write = 0;
        JsonNode pt = ix.get("ProvisionedThroughput");
        if (global) {
            if (billing.equals("PROVISIONED")) {
                if (pt == null || pt.isNull()) throw DynamoDbError.validation(INVALID + "ProvisionedThroughput must be specified for index: " + name);
                read = pt.path("ReadCapacityUnits").asLong();
                write = pt.path("WriteCapacityUnits").asLong();
            } else if (pt != null && !pt.isNull()) {
                throw DynamoDbError.validation(INVALID + "ProvisionedThroughput should not be specified for index: " + name + " when BillingMode is PAY_PER_REQUEST");
            }
        } else if (pt != null && !pt.isNull()) {
            throw DynamoDbError.validation(INVALID + "ProvisionedThroughput should not be specified for index: " + name);
        }
        return new IndexDef(name, global, key, type, nonKey, read, write, "ACTIVE");
    }

    // ---- Describe / List / Delete ----

    ObjectNode describeTable(JsonNode req) {
        Table t = table(req);
        ObjectNode out = Nodes.object();
        out.set("Table", describe(t));
        return out;
    }

    private Table table(JsonNode req) {
        requireParameter(req, "TableName");
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 3);
        v.throwIfAny();
        String name = req.get("TableName").asText();
        Table t = db.find(name);
        if (t == null) throw DynamoDbError.notFound("Requested resource not found: Table: " + name + " not found");
        return t;
    }

    ObjectNode listTables(JsonNode req) {
        Violations v = new Violations();
        v.atLeast(req.get("Limit"), "limit", 1);
        v.atMost(req.get("Limit"), "limit", 100);
        if (has(req, "ExclusiveStartTableName")) v.tableName(req.get("ExclusiveStartTableName"), "exclusiveStartTableName", 3);
        v.throwIfAny();
        int limit = req.path("Limit").asInt(100);
        String start = text(req, "ExclusiveStartTableName");
        List<String> names = db.names();
        ArrayNode out = Nodes.F.arrayNode();
        String last = null;
        int n = 0;
        for (String name : names) {
            if (start != null && name.compareTo(start) <= 0) continue;
            if (n == limit) break;
            out.add(name);
            last = name;
            n++;
        }
        ObjectNode res = Nodes.object();
        res.set("TableNames", out);
        if (last != null && !last.equals(names.get(names.size() - 1))) res.put("LastEvaluatedTableName", last);
        return res;
    }

    ObjectNode deleteTable(JsonNode req) {
        Table t = table(req);
        if (t.deletionProtection) {
            throw DynamoDbError.validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
        }
        t.lock().writeLock().lock();
        try {
            if (!db.drop(t)) throw DynamoDbError.notFound("Requested resource not found: Table: " + t.name + " not found");
        } finally {
            t.lock().writeLock().unlock();
        }
        ObjectNode out = Nodes.object();
        out.set("TableDescription", describe(t));
        return out;
    }

    // ---- UpdateTable ----

    ObjectNode updateTable(JsonNode req) {
        requireParameter(req, "TableName");
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 3);
        v.oneOf(req.get("BillingMode"), "billingMode", "PROVISIONED", "PAY_PER_REQUEST");
        throughputChecks(v, req.get("ProvisionedThroughput"), "provisionedThroughput");
        JsonNode defs = req.get("AttributeDefinitions");
        if (defs != null && defs.isArray()) {
            for (int i = 0; i < defs.size(); i++) {
                v.oneOf(defs.get(i).get("AttributeType"), "attributeDefinitions." + (i + 1) + ".member.attributeType", "B", "N", "S");
            }
        }
        if (defs != null && defs.isArray()) {
            for (int i = 0; i < defs.size(); i++) {
                v.notNull(defs.get(i).get("AttributeName"), "attributeDefinitions." + (i + 1) + ".member.attributeName");
                v.notNull(defs.get(i).get("AttributeType"), "attributeDefinitions." + (i + 1) + ".member.attributeType");
            }
        }
        v.throwIfAny();
        Table t = table(req);
        JsonNode updates = req.get("GlobalSecondaryIndexUpdates");
        JsonNode stream = req.get("StreamSpecification");
        boolean any = has(req, "BillingMode") || has(req, "ProvisionedThroughput") || has(req, "GlobalSecondaryIndexUpdates")
                || has(req, "StreamSpecification") || has(req, "DeletionProtectionEnabled") || has(req, "SSESpecification")
                || has(req, "TableClass") || has(req, "ReplicaUpdates");
        if (!any) {
            throw DynamoDbError.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
        }
        t.lock().writeLock().lock();
        try {
            String billing = req.path("BillingMode").asText(t.billingMode);
            JsonNode pt = req.get("ProvisionedThroughput");
            if (billing.equals("PAY_PER_REQUEST") && pt != null && !pt.isNull()) {
                throw DynamoDbError.validation(INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
            }
            if (billing.equals("PROVISIONED") && t.billingMode.equals("PAY_PER_REQUEST") && (pt == null || pt.isNull())) {
                throw DynamoDbError.validation(INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
            }
            if (pt != null && !pt.isNull() && billing.equals(t.billingMode) && pt.path("ReadCapacityUnits").asLong() == t.readCapacity
                    && pt.path("WriteCapacityUnits").asLong() == t.writeCapacity && updates == null && stream == null) {
                throw DynamoDbError.validation("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: "
                        + t.readCapacity + ". Requested ReadCapacityUnits: " + t.readCapacity + ". Current WriteCapacityUnits provisioned for the table: " + t.writeCapacity
                        + ". Requested WriteCapacityUnits: " + t.writeCapacity + ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
            }
            Map<String, AttributeValue.Type> attrs = new LinkedHashMap<>(t.attributes);
            if (defs != null) {
                for (JsonNode d : defs) {
                    String n = d.get("AttributeName").asText();
                    AttributeValue.Type ty = AttributeValue.Type.valueOf(d.get("AttributeType").asText());
                    AttributeValue.Type had = t.attributes.get(n);
                    if (had != null && had != ty && t.key.isKey(n)) {
                        throw DynamoDbError.validation(INVALID + "Cannot change the type of key attribute " + n + " from " + had + " to " + ty);
                    }
                    if (had != null && had != ty && t.indexes.values().stream().anyMatch(i -> i.key().isKey(n))) {
                        throw DynamoDbError.validation(INVALID + "Cannot change the type of attribute " + n + ", which an index uses as a key");
                    }
                    attrs.put(n, ty);
                }
            }
            List<Runnable> changes = new ArrayList<>();
            if (updates != null && !updates.isNull()) {
                for (JsonNode u : updates) {
                    if (has(u, "Create")) {
                        JsonNode c = u.get("Create");
                        String name = c.path("IndexName").asText();
                        if (t.indexes.containsKey(name)) throw DynamoDbError.validation(INVALID + "Index with name: " + name + " already exists");
                        Violations shape = new Violations();
                        indexChecks(shape, Nodes.F.arrayNode().add(c), "globalSecondaryIndexUpdates.1.member.create");
                        shape.throwIfAny();
                        IndexDef d = index(c, attrs, true, billing, t.key);
                        changes.add(() -> {
                            for (String a : List.of(d.key().hash(), d.key().hasRange() ? d.key().range() : d.key().hash())) {
                                t.attributes.put(a, attrs.get(a));
                            }
                            t.addIndex(d);
                        });
                    } else if (has(u, "Delete")) {
                        String name = u.get("Delete").path("IndexName").asText();
                        IndexDef d = t.indexes.get(name);
                        if (d == null || !d.global()) throw DynamoDbError.notFound("Requested resource not found: Index: " + name + " not found");
                        changes.add(() -> t.removeIndex(name));
                    } else if (has(u, "Update")) {
                        JsonNode up = u.get("Update");
                        String name = up.path("IndexName").asText();
                        IndexDef d = t.indexes.get(name);
                        if (d == null || !d.global()) throw DynamoDbError.notFound("Requested resource not found: Index: " + name + " not found");
                        JsonNode ipt = up.get("ProvisionedThroughput");
                        if (ipt != null) changes.add(() -> t.replaceIndex(d.withThroughput(ipt.path("ReadCapacityUnits").asLong(), ipt.path("WriteCapacityUnits").asLong())));
                    }
                }
            }
            if (stream != null && !stream.isNull()) {
                boolean enable = stream.path("StreamEnabled").asBoolean(false);
                if (enable) {
                    if (t.stream != null) throw DynamoDbError.validation("Table already has an enabled stream: TableName: " + t.name);
                    if (!has(stream, "StreamViewType")) throw DynamoDbError.validation(INVALID + "StreamViewType is required when StreamEnabled is true");
                    String view = stream.get("StreamViewType").asText();
                    changes.add(() -> {
                        t.stream = new StreamLog(t.arn, t.name, view, uniqueMillis(db.now()));
                        t.streams.add(t.stream);
                    });
                } else {
                    if (t.stream == null) throw DynamoDbError.validation("Table already has stream disabled: TableName: " + t.name);
                    changes.add(() -> {
                        t.stream.close();
                        t.stream = null;
                    });
                }
            }
            changes.forEach(Runnable::run);
            if (!billing.equals(t.billingMode)) {
                t.billingMode = billing;
                t.billingModeChanged = db.now() / 1000.0;
                if (billing.equals("PAY_PER_REQUEST")) {
                    t.readCapacity = 0;
                    t.writeCapacity = 0;
                }
            }
            if (pt != null && !pt.isNull()) {
                t.readCapacity = pt.path("ReadCapacityUnits").asLong();
                t.writeCapacity = pt.path("WriteCapacityUnits").asLong();
            }
            if (has(req, "DeletionProtectionEnabled")) t.deletionProtection = req.get("DeletionProtectionEnabled").asBoolean();
            db.changed(t);
            ObjectNode out = Nodes.object();
            out.set("TableDescription", describe(t));
            return out;
        } finally {
            t.lock().writeLock().unlock();
        }
    }

    // ---- TTL ----

    ObjectNode updateTimeToLive(JsonNode req) {
        requireParameter(req, "TableName");
        requireParameter(req, "TimeToLiveSpecification");
        JsonNode spec = req.get("TimeToLiveSpecification");
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 3);
        v.notNull(spec.get("AttributeName"), "timeToLiveSpecification.attributeName");
        v.lengthBetween(spec.get("AttributeName"), "timeToLiveSpecification.attributeName", 1, 255);
        v.notNull(spec.get("Enabled"), "timeToLiveSpecification.enabled");
        v.throwIfAny();
        Table t = table(req);
        boolean enable = spec.get("Enabled").asBoolean();
        String attr = spec.get("AttributeName").asText();
        t.lock().writeLock().lock();
        try {
            if (!enable && !t.ttlEnabled) throw DynamoDbError.validation("TimeToLive is already disabled");
            if (t.ttlEnabled && !attr.equals(t.ttlAttribute)) {
                throw DynamoDbError.validation("TimeToLive is active on a different AttributeName: current AttributeName is " + t.ttlAttribute);
            }
            if (enable && t.ttlEnabled) throw DynamoDbError.validation("TimeToLive is already enabled");
            t.ttl(enable ? attr : null, enable);
            db.changed(t);
        } finally {
            t.lock().writeLock().unlock();
        }
        ObjectNode out = Nodes.object();
        out.putObject("TimeToLiveSpecification").put("AttributeName", attr).put("Enabled", enable);
        return out;
    }

    ObjectNode describeTimeToLive(JsonNode req) {
        Table t = table(req);
        ObjectNode out = Nodes.object();
        ObjectNode d = out.putObject("TimeToLiveDescription");
        d.put("TimeToLiveStatus", t.ttlEnabled ? "ENABLED" : "DISABLED");
        if (t.ttlEnabled) d.put("AttributeName", t.ttlAttribute);
        return out;
    }

    // ---- Tags ----

    private Table byArn(JsonNode req, String action) {
        requireParameter(req, "ResourceArn");
        String arn = req.get("ResourceArn").asText();
        String prefix = "arn:aws:dynamodb:";
        if (!arn.startsWith(prefix) || arn.split(":", 6).length < 6 || !arn.split(":", 6)[5].startsWith("table/")) {
            throw DynamoDbError.validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
        }
        String[] parts = arn.split(":", 6);
        if (!parts[4].equals(Database.ACCOUNT) || !parts[3].equals(db.region())) {
            throw new DynamoDbError("AccessDeniedException", "User: arn:aws:iam::" + Database.ACCOUNT + ":user/local is not authorized to perform: dynamodb:"
                    + action + " on resource: " + arn + " because no resource-based policy allows the dynamodb:" + action + " action");
        }
        String name = parts[5].substring("table/".length());
        int slash = name.indexOf('/');
        if (slash >= 0) name = name.substring(0, slash);
        Table t = db.find(name);
        if (t == null) throw DynamoDbError.notFound("Requested resource not found: ResourcArn: " + arn + " not found");
        return t;
    }

    ObjectNode tagResource(JsonNode req) {
        requireParameter(req, "Tags");
        Table t = byArn(req, "TagResource");
        JsonNode tags = req.get("Tags");
        for (JsonNode tag : tags) {
            if (!has(tag, "Key") || tag.get("Key").asText().isEmpty()) throw DynamoDbError.validation("One or more parameter values were invalid: Tag key must not be empty");
        }
        t.lock().writeLock().lock();
        try {
            Map<String, String> next = new LinkedHashMap<>(t.tags);
            tags.forEach(tag -> next.put(tag.get("Key").asText(), tag.path("Value").asText("")));
            if (next.size() > 50) throw DynamoDbError.validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50");
            t.tags.clear();
            t.tags.putAll(next);
            db.changed(t);
        } finally {
            t.lock().writeLock().unlock();
        }
        return Nodes.object();
    }

    ObjectNode untagResource(JsonNode req) {
        requireParameter(req, "TagKeys");
        Table t = byArn(req, "UntagResource");
        t.lock().writeLock().lock();
        try {
            req.get("TagKeys").forEach(k -> t.tags.remove(k.asText()));
            db.changed(t);
        } finally {
            t.lock().writeLock().unlock();
        }
        return Nodes.object();
    }

    ObjectNode listTagsOfResource(JsonNode req) {
        Table t = byArn(req, "ListTagsOfResource");
        ObjectNode out = Nodes.object();
        ArrayNode tags = out.putArray("Tags");
        t.lock().readLock().lock();
        try {
            t.tags.forEach((k, val) -> tags.addObject().put("Key", k).put("Value", val));
        } finally {
            t.lock().readLock().unlock();
        }
        return out;
    }

    // ---- TableDescription ----

    ObjectNode describe(Table t) {
        ObjectNode o = Nodes.object();
        ArrayNode defs = o.putArray("AttributeDefinitions");
        t.attributes.forEach((n, ty) -> defs.addObject().put("AttributeName", n).put("AttributeType", ty.name()));
        o.put("TableName", t.name);
        o.set("KeySchema", keyJson(t.key));
        o.put("TableStatus", t.status);
        o.put("CreationDateTime", t.created);
        ObjectNode pt = o.putObject("ProvisionedThroughput");
        pt.put("NumberOfDecreasesToday", 0).put("ReadCapacityUnits", t.readCapacity).put("WriteCapacityUnits", t.writeCapacity);
        t.lock().readLock().lock();
        try {
            o.put("TableSizeBytes", t.sizeBytes());
            o.put("ItemCount", t.itemCount());
            o.put("TableArn", t.arn);
            o.put("TableId", t.id);
            ObjectNode bm = o.putObject("BillingModeSummary").put("BillingMode", t.billingMode);
            if (t.billingMode.equals("PAY_PER_REQUEST")) bm.put("LastUpdateToPayPerRequestDateTime", t.billingModeChanged);
            ArrayNode lsis = Nodes.F.arrayNode();
            ArrayNode gsis = Nodes.F.arrayNode();
            for (IndexDef d : t.indexes.values()) {
                ObjectNode i = (d.global() ? gsis : lsis).addObject();
                i.put("IndexName", d.name());
                i.set("KeySchema", keyJson(d.key()));
                ObjectNode p = i.putObject("Projection").put("ProjectionType", d.projectionType());
                if (d.nonKeyAttributes() != null) {
                    ArrayNode nk = p.putArray("NonKeyAttributes");
                    d.nonKeyAttributes().forEach(nk::add);
                }
                if (d.global()) {
                    i.put("IndexStatus", d.status());
                    i.putObject("ProvisionedThroughput").put("NumberOfDecreasesToday", 0).put("ReadCapacityUnits", d.readCapacity())
                            .put("WriteCapacityUnits", d.writeCapacity());
                }
                i.put("IndexSizeBytes", t.indexSizeBytes(d.name()));
                i.put("ItemCount", t.index(d.name()).count());
                i.put("IndexArn", t.arn + "/index/" + d.name());
            }
            if (!lsis.isEmpty()) o.set("LocalSecondaryIndexes", lsis);
            if (!gsis.isEmpty()) o.set("GlobalSecondaryIndexes", gsis);
        } finally {
            t.lock().readLock().unlock();
        }
        if (t.stream != null) {
            o.putObject("StreamSpecification").put("StreamEnabled", true).put("StreamViewType", t.stream.viewType);
            o.put("LatestStreamLabel", t.stream.label);
            o.put("LatestStreamArn", t.stream.arn);
        } else if (!t.streams.isEmpty()) {
            StreamLog last = t.streams.get(t.streams.size() - 1);
            o.put("LatestStreamLabel", last.label);
            o.put("LatestStreamArn", last.arn);
        }
        o.put("DeletionProtectionEnabled", t.deletionProtection);
        return o;
    }

    static ArrayNode keyJson(KeySchema k) {
        ArrayNode a = Nodes.F.arrayNode();
        a.addObject().put("AttributeName", k.hash()).put("KeyType", "HASH");
        if (k.hasRange()) a.addObject().put("AttributeName", k.range()).put("KeyType", "RANGE");
        return a;
    }
}
