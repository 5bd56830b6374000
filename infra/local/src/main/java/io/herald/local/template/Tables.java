package io.herald.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** Creates the template's tables (keys, GSIs, streams, TTL) through the DynamoDB API (the local stack's engine). */
public final class Tables {
    private Tables() {}

    public static CreateTableRequest request(SamTemplate.Table t) {
        Map<String, Object> p = t.properties();
        CreateTableRequest.Builder b = CreateTableRequest.builder().tableName(t.name()).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(list(p.get("AttributeDefinitions")).stream().map(a -> AttributeDefinition.builder()
                        .attributeName(str(a, "AttributeName")).attributeType(str(a, "AttributeType")).build()).toList())
                .keySchema(keys(p.get("KeySchema")));
        List<GlobalSecondaryIndex> gsis = new ArrayList<>();
        for (Map<String, Object> g : list(p.get("GlobalSecondaryIndexes"))) {
            gsis.add(GlobalSecondaryIndex.builder().indexName(str(g, "IndexName")).keySchema(keys(g.get("KeySchema")))
                    .projection(Projection.builder().projectionType(str(SamTemplate.map(g.get("Projection")), "ProjectionType")).build())
                    .build());
        }
        if (!gsis.isEmpty()) b.globalSecondaryIndexes(gsis);
        Object stream = SamTemplate.map(p.get("StreamSpecification")).get("StreamViewType");
        if (stream != null) b.streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.fromValue(String.valueOf(stream))));
        return b.build();
    }

    /**
     * Creates each table unless it exists (a --data-dir keeps them between runs). An existing table
     * whose keys or indexes differ from the template's is refused with a message rather than used:
     * Herald's requests would fail on it one by one, and dropping it would lose the user's data.
     *
     * @throws IllegalStateException when a kept table does not match the template
     */
    public static void create(DynamoDbClient ddb, List<SamTemplate.Table> tables) {
        for (SamTemplate.Table t : tables) {
            CreateTableRequest wanted = request(t);
            try {
                ddb.createTable(wanted);
            } catch (ResourceInUseException e) {
                TableDescription table = ddb.describeTable(d -> d.tableName(t.name())).table();
                Map<String, List<KeySchemaElement>> keptIndexes = new TreeMap<>(), declaredIndexes = new TreeMap<>();
                table.globalSecondaryIndexes().forEach(g -> keptIndexes.put(g.indexName(), g.keySchema()));
                wanted.globalSecondaryIndexes().forEach(g -> declaredIndexes.put(g.indexName(), g.keySchema()));
                String kept = shape(table.keySchema(), keptIndexes), declared = shape(wanted.keySchema(), declaredIndexes);
                if (!kept.equals(declared)) {
                    throw new IllegalStateException("table " + t.name() + " in the data directory has keys and indexes "
                            + kept + " but the template declares " + declared
                            + "; move the data directory away (or delete that table) to start with the template's tables");
                }
                continue;
            }
            Map<String, Object> ttl = SamTemplate.map(t.properties().get("TimeToLiveSpecification"));
            if (Boolean.TRUE.equals(ttl.get("Enabled"))) {
                ddb.updateTimeToLive(u -> u.tableName(t.name())
                        .timeToLiveSpecification(s -> s.attributeName(str(ttl, "AttributeName")).enabled(true)));
            }
        }
    }

    /** "[b HASH, s RANGE]" and each index's name and keys: comparable between a kept table and the template. */
    private static String shape(List<KeySchemaElement> keys, Map<String, List<KeySchemaElement>> indexes) {
        StringBuilder b = new StringBuilder(keys(keys));
        indexes.forEach((name, k) -> b.append(", index ").append(name).append(' ').append(keys(k)));
        return b.toString();
    }

    private static String keys(List<KeySchemaElement> keys) {
        return keys.stream().map(e -> e.attributeName() + " " + e.keyTypeAsString()).toList().toString();
    }

    private static List<KeySchemaElement> keys(Object schema) {
        return list(schema).stream().map(k -> KeySchemaElement.builder().attributeName(str(k, "AttributeName"))
                .keyType(str(k, "KeyType")).build()).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static String str(Map<String, Object> m, String k) {
        return String.valueOf(m.get(k));
    }
}
