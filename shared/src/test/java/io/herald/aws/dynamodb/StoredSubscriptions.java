package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.BY_CONNECTION;
import static io.herald.aws.dynamodb.DynamoDbSchema.SUB_CONNECTION;

import io.herald.core.model.Subscriber;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What a test asks of the subscriptions table and Herald never does: one connection's subscriptions, expired ones too. */
public final class StoredSubscriptions {
    private StoredSubscriptions() {}

    public static List<Subscriber> of(DynamoDbClient ddb, String table, String connectionId) {
        return ddb.queryPaginator(b -> b.tableName(table).indexName(BY_CONNECTION).keyConditionExpression("#c = :c")
                        .expressionAttributeNames(Map.of("#c", SUB_CONNECTION))
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(connectionId))))
                .items().stream().map(DynamoDbSubscriptionStore::toSubscriber).toList();
    }
}
