package io.herald.aws.dynamodb;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The keys, indexes and TTL attribute the adapters rely on. template.yaml must declare the same
 * (TemplateInvariantsTest checks it); tests create tables from these definitions.
 */
public final class DynamoDbSchema {
    public static final String TTL = "ttl";

    /** Connections: one item per connection. GSI byUser answers "this user's connections". */
    public static final String CONNECTION_ID = "connectionId";
    public static final String USER_ID = "userId";
    public static final String BY_USER = "byUser";

    /**
     * Subscriptions: partition {@code b} (bucket) = where a publication looks (the exact topic, or a
     * wildcard pattern's literal prefix), sort {@code s} = the connection and what tells its
     * subscriptions in that bucket apart. GSI byConnection on {@code c} answers "this connection's
     * subscriptions" for cleanup. Names are one letter because every fan-out Query pays for every
     * byte of every item it returns: a 100-subscriber topic fits one 8 KB read unit only if an item
     * stays under about 80 bytes.
     */
    public static final String BUCKET = "b";
    public static final String SUB = "s";
    public static final String SUB_CONNECTION = "c";
    public static final String BY_CONNECTION = "byConnection";

    /** Ledger: publication ids seen (with TTL), the stats counters and quota counts, each kind under its own key prefix. Chat: the conversation's partition. */
    public static final String PK = "pk";

    /** Chat: sort key ({@code #meta}, {@code g#{message}}, {@code m#{member}}, {@code t#{typist}}); index byMember on {@code mu}. */
    public static final String SK = "sk";
    public static final String MEMBER_USER = "mu";
    public static final String BY_MEMBER = "byMember";

    private DynamoDbSchema() {}

    public static CreateTableRequest connectionsTable(String name) {
        return CreateTableRequest.builder().tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(key(CONNECTION_ID, KeyType.HASH))
                .attributeDefinitions(attr(CONNECTION_ID), attr(USER_ID))
                .globalSecondaryIndexes(gsi(BY_USER, USER_ID, null))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                .build();
    }

    public static CreateTableRequest subscriptionsTable(String name) {
        return CreateTableRequest.builder().tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(key(BUCKET, KeyType.HASH), key(SUB, KeyType.RANGE))
                .attributeDefinitions(attr(BUCKET), attr(SUB), attr(SUB_CONNECTION))
                .globalSecondaryIndexes(gsi(BY_CONNECTION, SUB_CONNECTION, BUCKET))
                .build();
    }

    public static CreateTableRequest ledgerTable(String name) {
        return CreateTableRequest.builder().tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(key(PK, KeyType.HASH)).attributeDefinitions(attr(PK)).build();
    }

    /** The chat table; its stream tells backends of every stored message, read and delete. */
    public static CreateTableRequest chatTable(String name) {
        return CreateTableRequest.builder().tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(key(PK, KeyType.HASH), key(SK, KeyType.RANGE))
                .attributeDefinitions(attr(PK), attr(SK), attr(MEMBER_USER))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(BY_MEMBER)
                        .keySchema(key(MEMBER_USER, KeyType.HASH), key(PK, KeyType.RANGE))
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                .build();
    }

    /** Every table with its indexes, by role. */
    public static List<CreateTableRequest> all(String connections, String subscriptions, String ledger) {
        return List.of(connectionsTable(connections), subscriptionsTable(subscriptions), ledgerTable(ledger));
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static GlobalSecondaryIndex gsi(String name, String hash, String range) {
        GlobalSecondaryIndex.Builder b = GlobalSecondaryIndex.builder().indexName(name)
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build());
        return range == null ? b.keySchema(key(hash, KeyType.HASH)).build()
                : b.keySchema(key(hash, KeyType.HASH), key(range, KeyType.RANGE)).build();
    }
}
