package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.CapacityListener;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.storage.Database;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Maps an X-Amz-Target to its operation. The one entry point of the wire layer into the engine. */
public final class Api {
    public static final String DYNAMODB = "DynamoDB_20120810.";
    public static final String STREAMS = "DynamoDBStreams_20120810.";

    private final Map<String, Function<JsonNode, ObjectNode>> operations = new HashMap<>();
    private final Database db;
    private final CapacityListener capacity;

    public Api(Database db) {
        this(db, null);
    }

    /** @param capacity told every data-plane request's consumed capacity; null for none */
    public Api(Database db, CapacityListener capacity) {
        this.db = db;
        this.capacity = capacity;
        TableOps tables = new TableOps(db);
        ItemOps items = new ItemOps(db);
        ReadOps reads = new ReadOps(db);
        BatchOps batches = new BatchOps(db);
        TransactOps transactions = new TransactOps(db);
        StreamOps streams = new StreamOps(db);
        PartiqlOps partiql = new PartiqlOps(db, items, reads, transactions);
        dynamo("CreateTable", tables::createTable);
        dynamo("DescribeTable", tables::describeTable);
        dynamo("ListTables", tables::listTables);
        dynamo("DeleteTable", tables::deleteTable);
        dynamo("UpdateTable", tables::updateTable);
        dynamo("UpdateTimeToLive", tables::updateTimeToLive);
        dynamo("DescribeTimeToLive", tables::describeTimeToLive);
        dynamo("TagResource", tables::tagResource);
        dynamo("UntagResource", tables::untagResource);
        dynamo("ListTagsOfResource", tables::listTagsOfResource);
        dynamo("PutItem", items::putItem);
        dynamo("GetItem", items::getItem);
        dynamo("UpdateItem", items::updateItem);
        dynamo("DeleteItem", items::deleteItem);
        dynamo("Query", reads::query);
        dynamo("Scan", reads::scan);
        dynamo("BatchGetItem", batches::batchGetItem);
        dynamo("BatchWriteItem", batches::batchWriteItem);
        dynamo("TransactWriteItems", transactions::transactWriteItems);
        dynamo("TransactGetItems", transactions::transactGetItems);
        dynamo("ExecuteStatement", partiql::executeStatement);
        dynamo("BatchExecuteStatement", partiql::batchExecuteStatement);
        dynamo("ExecuteTransaction", partiql::executeTransaction);
        dynamo("DescribeEndpoints", req -> {
            ObjectNode out = Nodes.object();
            out.putArray("Endpoints").addObject().put("Address", "dynamodb." + db.region() + ".amazonaws.com").put("CachePeriodInMinutes", 1440);
            return out;
        });
        dynamo("DescribeLimits", req -> Nodes.object().put("AccountMaxReadCapacityUnits", 80000).put("AccountMaxWriteCapacityUnits", 80000)
                .put("TableMaxReadCapacityUnits", 40000).put("TableMaxWriteCapacityUnits", 40000));
        operations.put(STREAMS + "ListStreams", streams::listStreams);
        operations.put(STREAMS + "DescribeStream", streams::describeStream);
        operations.put(STREAMS + "GetShardIterator", streams::getShardIterator);
        operations.put(STREAMS + "GetRecords", streams::getRecords);
    }

    private void dynamo(String name, Function<JsonNode, ObjectNode> op) {
        operations.put(DYNAMODB + name, op);
    }

    public Database database() {
        return db;
    }

    /** Runs one request; throws {@link DynamoDbError} for anything DynamoDB would refuse. */
    public ObjectNode call(String target, JsonNode request) {
        Function<JsonNode, ObjectNode> op = target == null ? null : operations.get(target);
        if (op == null) throw new DynamoDbError("UnknownOperationException", "Unknown operation " + target);
        if (!request.isObject()) throw new DynamoDbError("SerializationException", "Start of list found where not expected");
        try {
            if (capacity == null || !CAPACITY_OPERATIONS.contains(target)) return op.apply(request);
            return reportingCapacity(target, (ObjectNode) request, op);
        } finally {
            db.sync(); // nothing is acknowledged before it is on disk, table changes included
        }
    }

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
    private ObjectNode reportingCapacity(String target, ObjectNode request, Function<JsonNode, ObjectNode> op) {
        JsonNode asked = request.get("ReturnConsumedCapacity");
        boolean hidden = asked == null || asked.isNull() || "NONE".equals(asked.asText());
        if (hidden) request.put("ReturnConsumedCapacity", "TOTAL");
        ObjectNode out = op.apply(request);
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
