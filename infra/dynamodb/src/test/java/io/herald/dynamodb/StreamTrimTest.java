package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.dynamodb.api.Api;
import io.herald.dynamodb.model.JsonTrees;
import io.herald.dynamodb.storage.Database;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Records older than a day are trimmed; resuming from a trimmed sequence number is refused, never silently skipped. */
class StreamTrimTest {
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    final Api api = new Api(Database.inMemory("us-east-1", now::get));

    JsonNode call(String op, String json) throws Exception {
        return api.call(Api.DYNAMODB + op, JsonTrees.read(json));
    }

    JsonNode streams(String op, String json) throws Exception {
        return api.call(Api.STREAMS + op, JsonTrees.read(json));
    }

    @Test
    void aTrimmedSequenceNumberIsATrimmedDataAccessError() throws Exception {
        call("CreateTable", "{\"TableName\":\"trim\",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
                + "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"}}");
        String arn = call("DescribeTable", "{\"TableName\":\"trim\"}").get("Table").get("LatestStreamArn").asText();
        String shard = streams("DescribeStream", "{\"StreamArn\":\"" + arn + "\"}").get("StreamDescription").get("Shards").get(0).get("ShardId").asText();
        call("PutItem", "{\"TableName\":\"trim\",\"Item\":{\"pk\":{\"S\":\"a\"}}}");
        String it = streams("GetShardIterator", "{\"StreamArn\":\"" + arn + "\",\"ShardId\":\"" + shard + "\",\"ShardIteratorType\":\"TRIM_HORIZON\"}").get("ShardIterator").asText();
        String first = streams("GetRecords", "{\"ShardIterator\":\"" + it + "\"}").get("Records").get(0).get("dynamodb").get("SequenceNumber").asText();

        now.addAndGet(25L * 3600 * 1000);
        call("PutItem", "{\"TableName\":\"trim\",\"Item\":{\"pk\":{\"S\":\"b\"}}}"); // trims the first record

        DynamoDbError e = assertThrows(DynamoDbError.class, () -> streams("GetShardIterator", "{\"StreamArn\":\"" + arn + "\",\"ShardId\":\"" + shard
                + "\",\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"" + first + "\"}"));
        assertEquals("TrimmedDataAccessException", e.type());
        String fresh = streams("GetShardIterator", "{\"StreamArn\":\"" + arn + "\",\"ShardId\":\"" + shard + "\",\"ShardIteratorType\":\"TRIM_HORIZON\"}").get("ShardIterator").asText();
        assertEquals("b", streams("GetRecords", "{\"ShardIterator\":\"" + fresh + "\"}").get("Records").get(0).get("dynamodb").get("Keys").get("pk").get("S").asText());
    }
}
