package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.DynamoDbSchema.BY_USER;
import static io.herald.aws.dynamodb.DynamoDbSchema.CONNECTION_ID;
import static io.herald.aws.dynamodb.DynamoDbSchema.TTL;
import static io.herald.aws.dynamodb.DynamoDbSchema.USER_ID;
import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.Connection;
import io.herald.core.store.ConnectionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/** Connections in DynamoDB: GetItem/PutItem/DeleteItem by id, Query on byUser. */
public final class DynamoDbConnectionStore implements ConnectionStore {
    private final DynamoDbClient ddb;
    private final String table;

    public DynamoDbConnectionStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    @Override
    public void put(Connection c) {
        ddb.putItem(b -> b.tableName(table).item(toItem(c)));
    }

    @Override
    public Optional<Connection> get(String connectionId, Instant now) {
        // consistent: the first message can follow $connect's write by milliseconds
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(CONNECTION_ID, s(connectionId)))).item();
        if (item == null || item.isEmpty() || !Items.live(item, now.getEpochSecond())) return Optional.empty();
        return Optional.of(fromItem(item));
    }

    /** One consistent BatchGetItem (100 keys at most); UnprocessedKeys are asked again, with backoff. */
    @Override
    public List<Connection> getAll(List<String> connectionIds, Instant now) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String id : connectionIds) keys.add(Map.of(CONNECTION_ID, s(id)));
        List<Connection> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : BatchGet.consistent(ddb, table, keys, RetryPolicy.DEFAULT, Thread::sleep)) {
            if (Items.live(item, now.getEpochSecond())) out.add(fromItem(item));
        }
        return out;
    }

    @Override
    public boolean authenticate(String connectionId, String userId, Map<String, String> attributes) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(Map.of(CONNECTION_ID, s(connectionId)))
                    .updateExpression("SET #u = :u, #a = :a")
                    .conditionExpression("attribute_exists(#id)")
                    .expressionAttributeNames(Map.of("#u", USER_ID, "#a", "attrs", "#id", CONNECTION_ID))
                    .expressionAttributeValues(Map.of(":u", s(userId), ":a", attrs(attributes))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Connection> delete(String connectionId) {
        // subscribe transactions and the sweeper's claim write this item too: a plain delete can meet one
        Map<String, AttributeValue> old = Conflicts.retrying(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Map.of(CONNECTION_ID, s(connectionId))).returnValues(ReturnValue.ALL_OLD))).attributes();
        return old == null || old.isEmpty() ? Optional.empty() : Optional.of(fromItem(old));
    }

    @Override
    public List<Connection> byUser(String userId, Instant now) {
        return ddb.queryPaginator(b -> b.tableName(table).indexName(BY_USER).keyConditionExpression("#u = :u")
                        .expressionAttributeNames(Map.of("#u", USER_ID)).expressionAttributeValues(Map.of(":u", s(userId))))
                .items().stream().filter(i -> Items.live(i, now.getEpochSecond()))
                .map(DynamoDbConnectionStore::fromItem).collect(Collectors.toList());
    }

    static Map<String, AttributeValue> toItem(Connection c) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CONNECTION_ID, s(c.id()));
        if (c.userId() != null) item.put(USER_ID, s(c.userId()));
        item.put("profile", s(c.profile()));
        item.put("connectedAt", n(c.connectedAt().toEpochMilli()));
        if (c.sourceIp() != null) item.put("sourceIp", s(c.sourceIp()));
        if (c.userAgent() != null) item.put("userAgent", s(c.userAgent()));
        item.put("attrs", attrs(c.attributes()));
        item.put(TTL, n(c.expiresAt()));
        return item;
    }

    /**
     * The connection a stream record's image holds (DynamoDB JSON, as the event carries it); empty
     * when the image lacks a connection's id or profile (not an item this store wrote).
     *
     * @throws IllegalArgumentException when the image is not DynamoDB JSON
     */
    public static Optional<Connection> fromStreamImage(JsonNode image) {
        Map<String, AttributeValue> item = StreamImages.toItem(image);
        if (Items.str(item, CONNECTION_ID) == null || Items.str(item, "profile") == null) return Optional.empty();
        return Optional.of(fromItem(item));
    }

    static Connection fromItem(Map<String, AttributeValue> item) {
        AttributeValue a = item.get("attrs");
        Map<String, String> attrs = new HashMap<>();
        if (a != null && a.hasM()) a.m().forEach((k, v) -> attrs.put(k, v.s()));
        return new Connection(Items.str(item, CONNECTION_ID), Items.str(item, USER_ID), Items.str(item, "profile"),
                Instant.ofEpochMilli(Items.num(item, "connectedAt", 0)), Items.str(item, "sourceIp"),
                Items.str(item, "userAgent"), attrs, Items.num(item, TTL, 0));
    }

    private static AttributeValue attrs(Map<String, String> attributes) {
        Map<String, AttributeValue> m = new HashMap<>();
        attributes.forEach((k, v) -> {
            if (v != null) m.put(k, s(v));
        });
        return AttributeValue.fromM(m);
    }
}
