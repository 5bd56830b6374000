package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;
import static io.herald.dynamodb.api.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.expr.KeyCondition;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.IndexDef;
import io.herald.dynamodb.storage.KeySchema;
import io.herald.dynamodb.storage.SortedIndex;
import io.herald.dynamodb.storage.SortedIndex.PartitionKey;
import io.herald.dynamodb.storage.SortedIndex.Row;
import io.herald.dynamodb.storage.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** Query and Scan: one page at a time, bounded by Limit and by 1 MB of items read. */
final class ReadOps {
    static final long PAGE_BYTES = 1024 * 1024;
    private final Database db;

    ReadOps(Database db) {
        this.db = db;
    }

    /** What a Query or Scan reads: the table or one of its indexes. */
    private record Source(Table table, IndexDef index, SortedIndex data, KeySchema key) {
        Map<String, AttributeValue> lastKey(Map<String, AttributeValue> item) {
            Map<String, AttributeValue> k = new LinkedHashMap<>(table.key.keyOf(item));
            if (index != null) k.putAll(index.key().keyOf(item));
            return k;
        }
    }

    private static void commonChecks(JsonNode req, boolean scan) {
        Violations v = new Violations();
        v.tableName(req.get("TableName"), "tableName", 1);
        if (v.any()) v.throwIfAny();
        v.indexName(req.get("IndexName"), "indexName");
        v.oneOf(req.get("Select"), "select", Violations.SELECT);
        v.oneOf(req.get("ReturnConsumedCapacity"), "returnConsumedCapacity", Violations.RETURN_CAPACITY);
        if (!scan && req.has("Limit") && req.get("Limit").asLong() < 1) {
            v.raw("Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"); // Query's own wording
        } else {
            v.atLeast(req.get("Limit"), "limit", 1);
        }
        v.oneOf(req.get("ConditionalOperator"), "conditionalOperator", "AND", "OR");
        if (scan) {
            v.atLeast(req.get("Segment"), "segment", 0);
            v.atMost(req.get("Segment"), "segment", 999999);
            v.atLeast(req.get("TotalSegments"), "totalSegments", 1);
            v.atMost(req.get("TotalSegments"), "totalSegments", 1000000);
        }
        v.sizeAtLeast(req.get("AttributesToGet"), "attributesToGet", 1);
        v.throwIfAny();
    }

    private Source source(JsonNode req) {
        Table t = db.require(req.get("TableName").asText());
        String indexName = text(req, "IndexName");
        if (indexName == null) return new Source(t, null, t.base(), t.key);
        IndexDef d = t.indexes.get(indexName);
        if (d == null) throw DynamoDbError.validation("The table does not have the specified index: " + indexName);
        if (d.global() && req.path("ConsistentRead").asBoolean(false)) {
            throw DynamoDbError.validation("Consistent reads are not supported on global secondary indexes");
        }
        return new Source(t, d, t.index(indexName), d.key());
    }

    /** Select, projection and their combinations, checked as DynamoDB does. */
    private static UnaryOperator<Map<String, AttributeValue>> selection(JsonNode req, Expressions ex, Source s) {
        String select = text(req, "Select");
        boolean projected = has(req, "ProjectionExpression") || has(req, "AttributesToGet");
        if (select != null && projected && !select.equals("SPECIFIC_ATTRIBUTES")) {
            throw DynamoDbError.validation("Cannot specify the " + (has(req, "ProjectionExpression") ? "ProjectionExpression" : "AttributesToGet")
                    + " when choosing to get " + select);
        }
        if ("SPECIFIC_ATTRIBUTES".equals(select) && !projected) {
            throw DynamoDbError.validation("Must specify the ProjectionExpression or AttributesToGet when choosing to get SPECIFIC_ATTRIBUTES");
        }
        if ("ALL_PROJECTED_ATTRIBUTES".equals(select) && s.index == null) {
            throw DynamoDbError.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
        }
        if ("ALL_ATTRIBUTES".equals(select) && s.index != null && s.index.global() && !s.index.projectionType().equals("ALL")) {
            throw DynamoDbError.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index "
                    + s.index.name() + " because its projection type is not ALL");
        }
        UnaryOperator<Map<String, AttributeValue>> p = ex.projection();
        if (s.index != null && s.index.global()) {
            // a global index cannot fetch from the table: asking it for more is an error, not an empty answer
            List<String> missing = notProjected(s, ex.names("ProjectionExpression"));
            if (!missing.isEmpty()) {
                throw DynamoDbError.validation("One or more parameter values were invalid: Global secondary index " + s.index.name() + " does not project " + missing);
            }
            String filterParam = has(req, "QueryFilter") ? "QueryFilter" : has(req, "ScanFilter") ? "ScanFilter" : null;
            missing = notProjected(s, filterParam != null ? Nodes.fieldNames(req.get(filterParam)) : ex.names("FilterExpression"));
            if (!missing.isEmpty()) {
                throw DynamoDbError.validation("One or more parameter values were invalid: Secondary index " + s.index.name()
                        + " does not project one or more filter attributes: " + missing);
            }
        }
        if (p != null) return p;
        if ("ALL_ATTRIBUTES".equals(select)) return UnaryOperator.identity();
        return s.index == null ? UnaryOperator.identity() : item -> ItemOps.project(s.table, s.index, item);
    }

    /** The attributes of {@code names} an index's projection leaves out, in order. */
    private static List<String> notProjected(Source s, java.util.Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) if (!s.index.projects(s.table.key, n) && !out.contains(n)) out.add(n);
        return out;
    }

    ObjectNode query(JsonNode req) {
        commonChecks(req, false);
        if (!has(req, "KeyConditionExpression") && !has(req, "KeyConditions")) {
            throw DynamoDbError.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
        }
        List<String> exprs = List.of("ProjectionExpression", "FilterExpression", "KeyConditionExpression");
        Expressions ex = new Expressions(req, exprs, List.of("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
                List.of("FilterExpression", "KeyConditionExpression"));
        Source s = source(req);
        KeyRange range;
        KeyCondition kc = null;
        if (has(req, "KeyConditionExpression")) {
            kc = KeyCondition.parse(req.get("KeyConditionExpression").asText(), ex.ctx, s.key.hash(), s.key.range());
            range = new KeyRange(kc.hashValue(), kc::matchesRange);
        } else {
            range = LegacyParams.keyConditions(req, s.key);
        }
        Predicate<Map<String, AttributeValue>> filter = has(req, "QueryFilter") ? LegacyParams.filter(req, "QueryFilter") : ex.condition("FilterExpression");
        UnaryOperator<Map<String, AttributeValue>> selection = selection(req, ex, s);
        ex.done();
        if (range.hash().type() != s.key.hashType()) {
            throw DynamoDbError.validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
        }
        if (kc != null && s.key.range() != null) kc.requireRangeType(s.key.rangeType());
        Keys.notEmpty(s.key.hash(), range.hash());
        boolean forward = req.path("ScanIndexForward").asBoolean(true);
        Map<String, AttributeValue> start = has(req, "ExclusiveStartKey") ? startKey(req, s) : null;
        if (start != null && !start.get(s.key.hash()).equals(range.hash())) {
            throw DynamoDbError.validation("The provided starting key is outside query boundaries based on provided conditions");
        }
        if (start != null && s.key.range() != null && !range.matches().test(start.get(s.key.range()))) {
            throw DynamoDbError.validation("The provided starting key does not match the range key predicate");
        }
        Page page = new Page(req, s);
        s.table.lock().readLock().lock();
        try {
            NavigableMap<Row, Map<String, AttributeValue>> items = s.data.partition(range.hash(), forward);
            if (start != null) items = items.tailMap(s.data.row(start), false);
            for (Map<String, AttributeValue> item : items.values()) {
                AttributeValue r = s.key.range() == null ? null : item.get(s.key.range());
                if (s.key.range() != null && !range.matches().test(r)) continue;
                if (!page.offer(item, filter, selection)) break;
            }
        } finally {
            s.table.lock().readLock().unlock();
        }
        return page.json();
    }

    /** A Query's partition and sort-key test, from either expression or legacy KeyConditions. */
    record KeyRange(AttributeValue hash, Predicate<AttributeValue> matches) {}

    ObjectNode scan(JsonNode req) {
        commonChecks(req, true);
        if (has(req, "Segment") && !has(req, "TotalSegments")) {
            throw DynamoDbError.validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
        }
        if (has(req, "TotalSegments") && !has(req, "Segment")) {
            throw DynamoDbError.validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
        }
        if (has(req, "Segment") && req.get("Segment").asLong() >= req.get("TotalSegments").asLong()) {
            throw DynamoDbError.validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: "
                    + req.get("Segment").asLong() + " is not less than TotalSegments: " + req.get("TotalSegments").asLong());
        }
        List<String> exprs = List.of("ProjectionExpression", "FilterExpression");
        Expressions ex = new Expressions(req, exprs, List.of("AttributesToGet", "ScanFilter", "ConditionalOperator"), List.of("FilterExpression"));
        Source s = source(req);
        Predicate<Map<String, AttributeValue>> filter = has(req, "ScanFilter") ? LegacyParams.filter(req, "ScanFilter") : ex.condition("FilterExpression");
        UnaryOperator<Map<String, AttributeValue>> selection = selection(req, ex, s);
        ex.done();
        int total = req.path("TotalSegments").asInt(1);
        int segment = req.path("Segment").asInt(0);
        Map<String, AttributeValue> start = has(req, "ExclusiveStartKey") ? startKey(req, s) : null;
        if (start != null && total > 1) {
            int owner = PartitionKey.of(start.get(s.key.hash())).segment(total);
            if (owner != segment) {
                throw DynamoDbError.validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: "
                        + total + " Segment: " + owner);
            }
        }
        Page page = new Page(req, s);
        s.table.lock().readLock().lock();
        try {
            PartitionKey from = start == null ? null : PartitionKey.of(start.get(s.key.hash()));
            outer:
            for (Map.Entry<PartitionKey, TreeMap<Row, Map<String, AttributeValue>>> p : s.data.partitionsFrom(from, true).entrySet()) {
                if (total > 1 && p.getKey().segment(total) != segment) continue;
                NavigableMap<Row, Map<String, AttributeValue>> items = p.getValue();
                if (start != null && p.getKey().equals(from)) items = items.tailMap(s.data.row(start), false);
                for (Map<String, AttributeValue> item : items.values()) {
                    if (!page.offer(item, filter, selection)) break outer;
                }
            }
        } finally {
            s.table.lock().readLock().unlock();
        }
        return page.json();
    }

    private static Map<String, AttributeValue> startKey(JsonNode req, Source s) {
        Map<String, AttributeValue> k = Nodes.readItem(req.get("ExclusiveStartKey"));
        List<String> expected = new ArrayList<>();
        expected.add(s.table.key.hash());
        if (s.table.key.hasRange()) expected.add(s.table.key.range());
        if (s.index != null) {
            if (!expected.contains(s.index.key().hash())) expected.add(s.index.key().hash());
            if (s.index.key().hasRange() && !expected.contains(s.index.key().range())) expected.add(s.index.key().range());
        }
        boolean ok = k.size() == expected.size() && expected.stream().allMatch(k::containsKey)
                && k.get(s.table.key.hash()).type() == s.table.key.hashType()
                && (!s.table.key.hasRange() || k.get(s.table.key.range()).type() == s.table.key.rangeType())
                && (s.index == null || k.get(s.index.key().hash()).type() == s.index.key().hashType()
                        && (!s.index.key().hasRange() || k.get(s.index.key().range()).type() == s.index.key().rangeType()));
        if (!ok) throw DynamoDbError.validation("The provided starting key is invalid: The provided key element does not match the schema");
        return k;
    }

    /** One page of results: Limit counts items read (before the filter), and reading stops at 1 MB. */
    private static final class Page {
        final JsonNode req;
        final Source s;
        final int limit;
        final boolean count;
        final boolean consistent;
        final List<Map<String, AttributeValue>> items = new ArrayList<>();
        int matched;
        int scanned;
        long bytes;
        Map<String, AttributeValue> last;
        boolean more;

        Page(JsonNode req, Source s) {
            this.req = req;
            this.s = s;
            this.limit = req.path("Limit").asInt(Integer.MAX_VALUE);
            this.count = "COUNT".equals(text(req, "Select"));
            this.consistent = req.path("ConsistentRead").asBoolean(false);
        }

        /** Takes one item; false once the page is full (Limit or 1 MB), with the item kept as its last. */
        boolean offer(Map<String, AttributeValue> item, Predicate<Map<String, AttributeValue>> filter, UnaryOperator<Map<String, AttributeValue>> selection) {
            if (scanned == limit || bytes >= PAGE_BYTES) {
                more = true;
                return false;
            }
            scanned++;
            // a global index holds only its projection: filters and projections see nothing else
            Map<String, AttributeValue> view = s.index != null && s.index.global() ? ItemOps.project(s.table, s.index, item) : item;
            bytes += ItemSize.of(s.index == null ? item : ItemOps.project(s.table, s.index, item));
            last = item;
            if (filter == null || filter.test(view)) {
                matched++;
                if (!count) items.add(selection.apply(view));
            }
            return true;
        }

        ObjectNode json() {
            ObjectNode out = Nodes.object();
            if (!count) {
                ArrayNode a = out.putArray("Items");
                for (Map<String, AttributeValue> i : items) a.add(Nodes.item(i));
            }
            out.put("Count", matched);
            out.put("ScannedCount", scanned);
            if ((more || scanned == limit) && last != null) out.set("LastEvaluatedKey", Nodes.item(s.lastKey(last)));
            Capacity cap = new Capacity(s.table.name);
            cap.read(s.index == null ? null : s.index.name(), s.index != null && s.index.global(), bytes, consistent, 1);
            ObjectNode c = cap.json(Capacity.mode(req));
            if (c != null) out.set("ConsumedCapacity", c);
            return out;
        }
    }
}
