package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.CapacityListener;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.storage.Database;
import java.util.List;
import java.util.Set;

/** Maps an X-Amz-Target to its operation. The one entry point of the wire layer into the engine. */
public final class Api {
    public static final String DYNAMODB = "DynamoDB_20120810.";
    public static final String STREAMS = "DynamoDBStreams_20120810.";

    private final Database db;
    private final CapacityListener capacity;
    private final TableOps tables;
    private final ItemOps items;
    private final ReadOps reads;
    private final BatchOps batches;
    private final TransactOps transactions;
    private final StreamOps streams;
    private final PartiqlOps partiql;

    public Api(Database db) {
        this(db, null);
    }

    /** @param capacity told every data-plane request's consumed capacity; null for none */
    public Api(Database db, CapacityListener capacity) {
        this.db = db;
        this.capacity = capacity;
        this.tables = new TableOps(db);
        this.items = new ItemOps(db);
        this.reads = new ReadOps(db);
        this.batches = new BatchOps(db);
        this.transactions = new TransactOps(db);
        this.streams = new StreamOps(db);
        this.partiql = new PartiqlOps(db, items, reads, transactions);
    }

    /**
     * Runs the operation a target names (one of {@link #OPERATIONS}). A switch rather than a map of method references: each
     * reference is a class the JVM spins at start, and thirty of them were a tenth of the
     * standalone engine's time to its first answer.
     */
    private ObjectNode run(String target, JsonNode req) {
        if (target.startsWith(STREAMS)) {
            return switch (target.substring(STREAMS.length())) {
                case "ListStreams" -> streams.listStreams(req);
                case "DescribeStream" -> streams.describeStream(req);
                case "GetShardIterator" -> streams.getShardIterator(req);
                case "GetRecords" -> streams.getRecords(req);
                default -> null;
            };
        }
        if (!target.startsWith(DYNAMODB)) return null;
        return switch (target.substring(DYNAMODB.length())) {
            case "CreateTable" -> tables.createTable(req);
            case "DescribeTable" -> tables.describeTable(req);
            case "ListTables" -> tables.listTables(req);
            case "DeleteTable" -> tables.deleteTable(req);
            case "UpdateTable" -> tables.updateTable(req);
            case "UpdateTimeToLive" -> tables.updateTimeToLive(req);
            case "DescribeTimeToLive" -> tables.describeTimeToLive(req);
            case "TagResource" -> tables.tagResource(req);
            case "UntagResource" -> tables.untagResource(req);
            case "ListTagsOfResource" -> tables.listTagsOfResource(req);
            case "PutItem" -> items.putItem(req);
            case "GetItem" -> items.getItem(req);
            case "UpdateItem" -> items.updateItem(req);
            case "DeleteItem" -> items.deleteItem(req);
            case "Query" -> reads.query(req);
            case "Scan" -> reads.scan(req);
            case "BatchGetItem" -> batches.batchGetItem(req);
            case "BatchWriteItem" -> batches.batchWriteItem(req);
            case "TransactWriteItems" -> transactions.transactWriteItems(req);
            case "TransactGetItems" -> transactions.transactGetItems(req);
            case "ExecuteStatement" -> partiql.executeStatement(req);
            case "BatchExecuteStatement" -> partiql.batchExecuteStatement(req);
            case "ExecuteTransaction" -> partiql.executeTransaction(req);
            case "DescribeEndpoints" -> {
                ObjectNode out = Nodes.object();
                out.putArray("Endpoints").addObject().put("Address", "dynamodb." + db.region() + ".amazonaws.com").put("CachePeriodInMinutes", 1440);
                yield out;
            }
            case "DescribeLimits" -> Nodes.object().put("AccountMaxReadCapacityUnits", 80000).put("AccountMaxWriteCapacityUnits", 80000)
                    .put("TableMaxReadCapacityUnits", 40000).put("TableMaxWriteCapacityUnits", 40000);
            default -> null;
        };
    }

    public Database database() {
        return db;
    }

    /** Runs one request; throws {@link DynamoDbError} for anything DynamoDB would refuse. */
    public ObjectNode call(String target, JsonNode request) {
        if (target == null || !OPERATIONS.contains(target)) throw new DynamoDbError("UnknownOperationException", "Unknown operation " + target);
        if (!request.isObject()) throw new DynamoDbError("SerializationException", "Start of list found where not expected");
        try {
            if (capacity == null || !CAPACITY_OPERATIONS.contains(target)) return run(target, request);
            return reportingCapacity(target, (ObjectNode) request);
        } finally {
            db.sync(); // nothing is acknowledged before it is on disk, table changes included
        }
    }

    /** Every target {@link #run} serves. */
    private static final Set<String> OPERATIONS = Set.of(DYNAMODB + "CreateTable", DYNAMODB + "DescribeTable",
            DYNAMODB + "ListTables", DYNAMODB + "DeleteTable", DYNAMODB + "UpdateTable", DYNAMODB + "UpdateTimeToLive",
            DYNAMODB + "DescribeTimeToLive", DYNAMODB + "TagResource", DYNAMODB + "UntagResource",
            DYNAMODB + "ListTagsOfResource", DYNAMODB + "PutItem", DYNAMODB + "GetItem", DYNAMODB + "UpdateItem",
            DYNAMODB + "DeleteItem", DYNAMODB + "Query", DYNAMODB + "Scan", DYNAMODB + "BatchGetItem",
            DYNAMODB + "BatchWriteItem", DYNAMODB + "TransactWriteItems", DYNAMODB + "TransactGetItems",
            DYNAMODB + "ExecuteStatement", DYNAMODB + "BatchExecuteStatement", DYNAMODB + "ExecuteTransaction",
            DYNAMODB + "DescribeEndpoints", DYNAMODB + "DescribeLimits", STREAMS + "ListStreams",
            STREAMS + "DescribeStream", STREAMS + "GetShardIterator", STREAMS + "GetRecords");

    /** The operations that consume capacity and take ReturnConsumedCapacity. */
    private static final Set<String> CAPACITY_OPERATIONS = Set.of(DYNAMODB + "PutItem", DYNAMODB + "GetItem",
            DYNAMODB + "UpdateItem", DYNAMODB + "DeleteItem", DYNAMODB + "Query", DYNAMODB + "Scan",
            DYNAMODB + "BatchGetItem", DYNAMODB + "BatchWriteItem", DYNAMODB + "TransactWriteItems",
            DYNAMODB + "TransactGetItems");
    private static final Set<String> READS = Set.of(DYNAMODB + "GetItem", DYNAMODB + "Query", DYNAMODB + "Scan",
            DYNAMODB + "BatchGetItem", DYNAMODB + "TransactGetItems");

    /**
     * Runs the request asking for TOTAL capacity, tells the listener, and hands the caller the
     * answer it asked for: without ReturnConsumedCapacity (or with NONE) the field is taken out
     * again, so the wire sees no difference. An invalid value is left for the operation to refuse.
     */
    private ObjectNode reportingCapacity(String target, ObjectNode request) {
        JsonNode asked = request.get("ReturnConsumedCapacity");
        boolean hidden = asked == null || asked.isNull() || "NONE".equals(asked.asText());
        if (hidden) request.put("ReturnConsumedCapacity", "TOTAL");
        ObjectNode out = run(target, request);
        JsonNode consumed = out.get("ConsumedCapacity");
        if (consumed != null) {
            for (JsonNode c : consumed.isArray() ? consumed : List.of(consumed)) {
                double read = c.path("ReadCapacityUnits").asDouble(0);
                double write = c.path("WriteCapacityUnits").asDouble(0);
                if (read == 0 && write == 0) { // a mix (or an unnamed total): by what the operation does
                    if (READS.contains(target)) read = c.path("CapacityUnits").asDouble(0);
                    else write = c.path("CapacityUnits").asDouble(0);
                }
                capacity.consumed(c.path("TableName").asText(), read, write);
            }
        }
        if (hidden) out.remove("ConsumedCapacity");
        return out;
    }
}
