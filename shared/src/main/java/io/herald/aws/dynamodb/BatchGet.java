package io.herald.aws.dynamodb;

import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** A consistent BatchGetItem of up to 100 keys of one table; UnprocessedKeys are asked again with backoff, bounded. */
final class BatchGet {
    private BatchGet() {}

    /** @throws IllegalStateException when keys are still unprocessed after the policy's attempts */
    static List<Map<String, AttributeValue>> consistent(DynamoDbClient ddb, String table, List<Map<String, AttributeValue>> keys,
            RetryPolicy retry, Delivery.Sleeper sleeper) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        for (int attempt = 1; !keys.isEmpty(); attempt++) {
            List<Map<String, AttributeValue>> asked = keys;
            BatchGetItemResponse r = ddb.batchGetItem(b -> b.requestItems(Map.of(table,
                    KeysAndAttributes.builder().keys(asked).consistentRead(true).build())));
            out.addAll(r.responses().getOrDefault(table, List.of()));
            KeysAndAttributes left = r.unprocessedKeys().get(table);
            keys = left == null ? List.of() : left.keys();
            if (keys.isEmpty()) break;
            if (attempt >= retry.maxAttempts()) throw new IllegalStateException(keys.size() + " keys of " + table + " unread after " + attempt + " attempts");
            try {
                sleeper.sleep(retry.delayMillis(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + table, e);
            }
        }
        return out;
    }
}
