package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;
import static io.herald.dynamodb.api.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.StreamLog;
import io.herald.dynamodb.storage.Table;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords. Each stream has one
 * shard; an iterator names the stream, the shard and an absolute position, and expires after 15
 * minutes as AWS's do.
 */
final class StreamOps {
    private static final long ITERATOR_MILLIS = 15 * 60 * 1000;
    private final Database db;

    StreamOps(Database db) {
        this.db = db;
    }

    private List<StreamLog> allStreams() {
        List<StreamLog> out = new ArrayList<>(db.streams());
        out.sort(java.util.Comparator.comparingLong(s -> s.createdMillis));
        return out;
    }

    private StreamLog stream(String arn) {
        StreamLog s = db.stream(arn);
        if (s == null) throw DynamoDbError.notFound("Requested resource not found: Stream: " + arn + " not found");
        return s;
    }

    ObjectNode listStreams(JsonNode req) {
        String table = text(req, "TableName");
        String start = text(req, "ExclusiveStartStreamArn");
        int limit = limit(req, 100);
        ObjectNode out = Nodes.object();
        ArrayNode streams = out.putArray("Streams");
        boolean started = start == null;
        String last = null;
        int n = 0;
        List<StreamLog> all = allStreams();
        for (StreamLog s : all) {
            if (table != null && !s.tableName.equals(table)) continue;
            if (!started) {
                started = s.arn.equals(start);
                continue;
            }
            if (n == limit) {
                out.put("LastEvaluatedStreamArn", last);
                break;
            }
            streams.addObject().put("StreamArn", s.arn).put("TableName", s.tableName).put("StreamLabel", s.label);
            last = s.arn;
            n++;
        }
        return out;
    }

    /** A request's Limit, checked against 1..max with AWS's message; {@code max} when absent. */
    private static int limit(JsonNode req, int max) {
        Violations v = new Violations();
        v.atLeast(req.get("Limit"), "limit", 1);
        v.atMost(req.get("Limit"), "limit", max);
        v.throwIfAny();
        return req.path("Limit").asInt(max);
    }

    ObjectNode describeStream(JsonNode req) {
        TableOps.requireParameter(req, "StreamArn");
        limit(req, 100); // one shard per stream here, so any Limit from 1 to 100 returns it
        StreamLog s = stream(req.get("StreamArn").asText());
        Table t = db.find(s.tableName);
        if (t != null && !t.arn.equals(s.arn.substring(0, s.arn.indexOf("/stream/")))) t = null;
        ObjectNode out = Nodes.object();
        ObjectNode d = out.putObject("StreamDescription");
        d.put("StreamArn", s.arn).put("StreamLabel", s.label).put("StreamStatus", s.closed() ? "DISABLED" : "ENABLED")
                .put("StreamViewType", s.viewType).put("CreationRequestDateTime", s.created).put("TableName", s.tableName);
        if (t != null) d.set("KeySchema", TableOps.keyJson(t.key));
        ArrayNode shards = d.putArray("Shards");
        ObjectNode shard = shards.addObject().put("ShardId", s.shardId);
        ObjectNode range = shard.putObject("SequenceNumberRange").put("StartingSequenceNumber", s.startingSequence());
        if (s.endingSequence() != null) range.put("EndingSequenceNumber", s.endingSequence());
        return out;
    }

    ObjectNode getShardIterator(JsonNode req) {
        TableOps.requireParameter(req, "StreamArn");
        TableOps.requireParameter(req, "ShardId");
        TableOps.requireParameter(req, "ShardIteratorType");
        String type = req.get("ShardIteratorType").asText();
        Violations v = new Violations();
        v.oneOf(req.get("ShardIteratorType"), "shardIteratorType", "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER");
        v.throwIfAny();
        StreamLog s = stream(req.get("StreamArn").asText());
        if (!s.shardId.equals(req.get("ShardId").asText())) {
            throw DynamoDbError.notFound("Requested resource not found: Shard does not exist");
        }
        long position = switch (type) {
            case "TRIM_HORIZON" -> s.firstPosition();
            case "LATEST" -> s.endPosition();
            default -> {
                if (!has(req, "SequenceNumber")) {
                    throw DynamoDbError.validation("Must specify a SequenceNumber when the ShardIteratorType is " + type);
                }
                long seq;
                try {
                    seq = Long.parseLong(req.get("SequenceNumber").asText());
                } catch (NumberFormatException e) {
                    throw DynamoDbError.validation("Invalid SequenceNumber: " + req.get("SequenceNumber").asText());
                }
                long at = s.positionOf(seq, type.equals("AFTER_SEQUENCE_NUMBER"));
                if (at < 0) {
                    throw new DynamoDbError("TrimmedDataAccessException",
                            "The operation attempted to read past the oldest stream record in a shard, or to use a sequence number that has been trimmed.");
                }
                yield at;
            }
        };
        return Nodes.object().put("ShardIterator", iterator(s, position));
    }

    private String iterator(StreamLog s, long position) {
        String raw = s.arn + "|" + s.shardId + "|" + position + "|" + db.now();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    ObjectNode getRecords(JsonNode req) {
        TableOps.requireParameter(req, "ShardIterator");
        int limit = limit(req, 1000);
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(req.get("ShardIterator").asText()), StandardCharsets.UTF_8).split("\\|");
        } catch (IllegalArgumentException e) {
            parts = new String[0];
        }
        long position, issued;
        try {
            if (parts.length != 4) throw new NumberFormatException();
            position = Long.parseLong(parts[2]);
            issued = Long.parseLong(parts[3]);
        } catch (NumberFormatException e) {
            throw DynamoDbError.validation("Invalid ShardIterator");
        }
        StreamLog s = stream(parts[0]);
        if (db.now() - issued > ITERATOR_MILLIS) {
            throw new DynamoDbError("ExpiredIteratorException", "Iterator expired. The iterator was created at time "
                    + java.time.Instant.ofEpochMilli(issued) + " while right now it is " + java.time.Instant.ofEpochMilli(db.now())
                    + " which is further in the future than the tolerated delay of 900000 milliseconds.");
        }
        List<StreamLog.Record> records = s.read(position, limit);
        if (records == null) {
            throw new DynamoDbError("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.");
        }
        ObjectNode out = Nodes.object();
        ArrayNode a = out.putArray("Records");
        for (StreamLog.Record r : records) {
            ObjectNode o = a.addObject();
            o.put("eventID", r.eventId()).put("eventName", r.eventName()).put("eventVersion", "1.1").put("eventSource", "aws:dynamodb")
                    .put("awsRegion", db.region());
            ObjectNode d = o.putObject("dynamodb");
            d.put("ApproximateCreationDateTime", r.createdMillis() / 1000);
            d.set("Keys", Nodes.item(r.keys()));
            if (r.newImage() != null) d.set("NewImage", Nodes.item(r.newImage()));
            if (r.oldImage() != null) d.set("OldImage", Nodes.item(r.oldImage()));
            d.put("SequenceNumber", Long.toString(r.sequence())).put("SizeBytes", r.sizeBytes()).put("StreamViewType", s.viewType);
            if (r.ttlDelete()) o.putObject("userIdentity").put("PrincipalId", "dynamodb.amazonaws.com").put("Type", "Service");
        }
        long next = position + records.size();
        // A closed shard that has been read to its end has no next iterator; an open one always does.
        if (!(s.closed() && next >= s.endPosition())) out.put("NextShardIterator", iterator(s, next));
        return out;
    }
}
