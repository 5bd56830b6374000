package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Regression tests for defects found in review, one test per defect, each named for what it pins.
 * Through the real SDK where the SDK can express the request, raw HTTP where it cannot (bad JSON
 * shapes, stalled sockets). Crash and restart cases are in {@link CrashConsistencyTest}.
 */
class EngineDefectsTest {
    static DynamoDbEngine engine;
    static DynamoDbClient ddb;
    static DynamoDbStreamsClient streams;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String AWS_ERROR = "(?s)\\{\"__type\":\"com\\.amazon(aws\\.dynamodb\\.v20120810|\\.coral\\.service)#[A-Za-z]+\".*";

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().start();
        ddb = Sdk.client(engine.endpoint());
        streams = Sdk.streams(engine.endpoint());
    }

    @AfterAll
    static void stop() {
        ddb.close();
        streams.close();
        engine.close();
    }

    // ---- helpers ----

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }

    /** A PAY_PER_REQUEST table with hash key pk (S). */
    static String table() {
        String name = "d-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        return name;
    }

    /** pk (S) and a KEYS_ONLY GSI {@code byG} on g (S). */
    static String tableWithKeysOnlyGsi() {
        String name = "d-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("g").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .globalSecondaryIndexes(g -> g.indexName("byG").keySchema(k -> k.attributeName("g").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))));
        return name;
    }

    static String streamTable() {
        String name = "d-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .streamSpecification(st -> st.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        return name;
    }

    static HttpResponse<String> post(URI endpoint, String target, String body, Duration timeout) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(endpoint + "/")).timeout(timeout)
                .header("Content-Type", "application/x-amz-json-1.0").header("X-Amz-Target", target)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String target, String body) throws Exception {
        return post(engine.endpoint(), target, body, Duration.ofSeconds(10));
    }

    /** A client error in AWS's shape: 400, and a body that starts with an AWS {@code __type}. */
    static void assertAwsClientError(HttpResponse<String> r, String what) {
        assertEquals(400, r.statusCode(), what + " → " + r.statusCode() + " " + r.body());
        assertTrue(r.body().matches(AWS_ERROR), what + " → " + r.body());
    }

    static String errorCode(DynamoDbException e) {
        return e.awsErrorDetails().errorCode();
    }

    /** A map nested {@code levels} deep: levels = 1 is {M: {x: S}}; alternates maps and lists below that. */
    static String nestedJson(int levels) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i % 2 == 0) {
                open.append("{\"M\":{\"x\":");
                close.insert(0, "}}");
            } else {
                open.append("{\"L\":[");
                close.insert(0, "]}");
            }
        }
        return open + "{\"S\":\"leaf\"}" + close;
    }

    static AttributeValue nested(int levels) {
        AttributeValue v = s("leaf");
        for (int i = levels - 1; i >= 0; i--) v = i % 2 == 0 ? AttributeValue.fromM(Map.of("x", v)) : AttributeValue.fromL(List.of(v));
        return v;
    }

    // ---- 3. ClientRequestToken ----

    @Test
    void concurrentTransactionsWithOneClientRequestTokenApplyOnce(@TempDir Path dir) throws Exception {
        // With a data directory each transaction waits for its fsync before answering, which is when
        // the duplicates used to slip past the token check.
        try (DynamoDbEngine own = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient c = Sdk.client(own.endpoint())) {
            String t = "tokens";
            c.createTable(b -> b.tableName(t).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            ExecutorService exec = Executors.newFixedThreadPool(12);
            HttpClient client = HttpClient.newBuilder().executor(exec).build();
            try {
                for (int round = 0; round < 3; round++) {
                    String pk = "counter-" + round;
                    String token = UUID.randomUUID().toString();
                    String body = "{\"ClientRequestToken\":\"" + token + "\",\"TransactItems\":[{\"Update\":{\"TableName\":\"" + t
                            + "\",\"Key\":{\"pk\":{\"S\":\"" + pk + "\"}},\"UpdateExpression\":\"ADD n :one\","
                            + "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}]}";
                    HttpRequest req = HttpRequest.newBuilder(URI.create(own.endpoint() + "/")).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/x-amz-json-1.0").header("X-Amz-Target", "DynamoDB_20120810.TransactWriteItems")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
                    for (int i = 0; i < 12; i++) sent.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
                    for (var f : sent) {
                        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
                        if (r.statusCode() != 200) {
                            assertEquals(400, r.statusCode(), r.body());
                            assertTrue(r.body().contains("#TransactionInProgressException"), r.body());
                        }
                    }
                    String got = c.getItem(b -> b.tableName(t).key(Map.of("pk", s(pk))).consistentRead(true)).item().get("n").n();
                    assertEquals("1", got, "12 identical transactions with one ClientRequestToken, round " + round);
                }
            } finally {
                exec.shutdownNow();
            }
        }
    }

    @Test
    void clientRequestTokenRetryIsMatchedByParametersNotByJsonFieldOrder() throws Exception {
        // A retry carries the same parameters, but nothing obliges a client to serialise them in the
        // same order (the SDK writes Key before TableName): it is the same request, applied once.
        String t = table();
        String token = UUID.randomUUID().toString();
        String first = "{\"ClientRequestToken\":\"" + token + "\",\"TransactItems\":[{\"Update\":{\"TableName\":\"" + t
                + "\",\"Key\":{\"pk\":{\"S\":\"c\"}},\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}]}";
        String reordered = "{\"TransactItems\":[{\"Update\":{\"Key\":{\"pk\":{\"S\":\"c\"}},\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}},"
                + "\"UpdateExpression\":\"ADD n :one\",\"TableName\":\"" + t + "\"}}],\"ClientRequestToken\":\"" + token + "\"}";
        HttpResponse<String> a = post("DynamoDB_20120810.TransactWriteItems", first);
        assertEquals(200, a.statusCode(), a.body());
        HttpResponse<String> b = post("DynamoDB_20120810.TransactWriteItems", reordered);
        assertEquals(200, b.statusCode(), b.body());
        assertEquals("1", ddb.getItem(g -> g.tableName(t).key(Map.of("pk", s("c"))).consistentRead(true)).item().get("n").n());
        HttpResponse<String> changed = post("DynamoDB_20120810.TransactWriteItems", first.replace("ADD n :one", "ADD m :one"));
        assertAwsClientError(changed, "same token, different parameters");
        assertTrue(changed.body().contains("IdempotentParameterMismatchException"), changed.body());
    }

    // ---- 4. Nesting depth ----

    @Test
    void itemsNestedBeyond32LevelsAreRefused() throws Exception {
        String t = table();
        for (int levels : new int[] {33, 40, 450}) {
            String body = "{\"TableName\":\"" + t + "\",\"Item\":{\"pk\":{\"S\":\"p" + levels + "\"},\"deep\":" + nestedJson(levels) + "}}";
            HttpResponse<String> r = post("DynamoDB_20120810.PutItem", body);
            assertAwsClientError(r, "PutItem nested " + levels + " levels");
            assertTrue(r.body().contains("ValidationException") && r.body().contains("Nesting Levels have exceeded supported limits"),
                    "PutItem nested " + levels + " levels → " + r.body());

            String update = "{\"TableName\":\"" + t + "\",\"Key\":{\"pk\":{\"S\":\"u" + levels + "\"}},\"UpdateExpression\":\"SET deep = :v\","
                    + "\"ExpressionAttributeValues\":{\":v\":" + nestedJson(levels) + "}}";
            HttpResponse<String> u = post("DynamoDB_20120810.UpdateItem", update);
            assertAwsClientError(u, "UpdateItem nested " + levels + " levels");
            assertTrue(u.body().contains("ValidationException") && u.body().contains("Nesting Levels have exceeded supported limits"),
                    "UpdateItem nested " + levels + " levels → " + u.body());
        }
        // 32 levels is DynamoDB's limit, not beyond it
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("ok32"), "deep", nested(32))));
        HttpResponse<String> get = post("DynamoDB_20120810.GetItem", "{\"TableName\":\"" + t + "\",\"Key\":{\"pk\":{\"S\":\"ok32\"}}}");
        assertEquals(200, get.statusCode(), get.body());
        HttpResponse<String> scan = post("DynamoDB_20120810.Scan", "{\"TableName\":\"" + t + "\"}");
        assertEquals(200, scan.statusCode(), scan.body());
        assertTrue(scan.body().contains("\"Count\":1"), scan.body());
    }

    // ---- 5. Huge numbers ----

    @Test
    void millionDigitNumberIsRefusedQuickly() throws Exception {
        StringBuilder digits = new StringBuilder(1_000_000);
        while (digits.length() < 1_000_000) digits.append("1234567891");
        // Its own engine: on the defective code the parse keeps a server thread busy long after the test gives up.
        try (DynamoDbEngine own = DynamoDbEngine.builder().start(); DynamoDbClient c = Sdk.client(own.endpoint())) {
            String t = "huge-n";
            c.createTable(b -> b.tableName(t).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            String[][] cases = {
                {"DynamoDB_20120810.PutItem", "{\"TableName\":\"" + t + "\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"" + digits + "\"}}}"},
                {"DynamoDB_20120810.Scan", "{\"TableName\":\"" + t + "\",\"FilterExpression\":\"n = :n\",\"ExpressionAttributeValues\":{\":n\":{\"N\":\"" + digits + "\"}}}"},
            };
            // the bound is slack for a loaded machine: the defect, BigDecimal parsing a million digits,
            // takes about 17 s here on its own
            for (String[] c2 : cases) {
                long t0 = System.nanoTime();
                HttpResponse<String> r;
                try {
                    r = post(own.endpoint(), c2[0], c2[1], Duration.ofSeconds(8));
                } catch (HttpTimeoutException e) {
                    fail(c2[0] + " with a 1,000,000-digit number got no answer within 8 s");
                    return;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertAwsClientError(r, c2[0] + " with a 1,000,000-digit number");
                assertTrue(r.body().contains("ValidationException"), r.body());
                assertTrue(ms < 8000, c2[0] + " took " + ms + " ms");
            }
        }
    }

    // ---- 6. Slowloris ----

    @Test
    void stalledRequestBodiesDoNotStarveOtherClients() throws Exception {
        try (DynamoDbEngine own = DynamoDbEngine.builder().start()) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    Socket so = new Socket(InetAddress.getLoopbackAddress(), own.port());
                    OutputStream out = so.getOutputStream();
                    out.write(("POST / HTTP/1.1\r\nHost: 127.0.0.1:" + own.port() + "\r\nContent-Type: application/x-amz-json-1.0\r\n"
                            + "X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100000\r\n\r\n{\"Limit\":").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    stalled.add(so);
                }
                Thread.sleep(200); // let the server pick them all up
                HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpRequest list = HttpRequest.newBuilder(URI.create(own.endpoint() + "/")).timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/x-amz-json-1.0").header("X-Amz-Target", "DynamoDB_20120810.ListTables")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
                HttpResponse<String> r;
                try {
                    r = fresh.send(list, HttpResponse.BodyHandlers.ofString());
                } catch (HttpTimeoutException e) {
                    fail("ListTables got no answer within 5 s while 40 connections sat on partial bodies");
                    return;
                }
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("TableNames"), r.body());
            } finally {
                for (Socket so : stalled) so.close();
            }
        }
    }

    // ---- 7. UpdateTable retyping a key attribute ----

    @Test
    void keysBeyondDynamoDbsSizeLimitsAreRefusedOnEveryPath() {
        String t = table();
        String big = "k".repeat(2049), fits = "k".repeat(2048);
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s(fits)))); // the limit itself is allowed
        String hashMessage = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes";
        List<org.junit.jupiter.api.function.Executable> calls = List.of(
                () -> ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s(big)))),
                () -> ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s(big)))),
                () -> ddb.deleteItem(b -> b.tableName(t).key(Map.of("pk", s(big)))),
                () -> ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s(big))).updateExpression("SET a = :a")
                        .expressionAttributeValues(Map.of(":a", n("1")))));
        for (var call : calls) {
            DynamoDbException e = assertThrows(DynamoDbException.class, call);
            assertEquals("ValidationException", errorCode(e));
            assertEquals(hashMessage, e.awsErrorDetails().errorMessage());
        }
        assertEquals(1, ddb.scan(b -> b.tableName(t)).count(), "nothing oversized was stored");

        String ranged = "d-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(ranged).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S), a -> a.attributeName("g").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE))
                .globalSecondaryIndexes(g -> g.indexName("byG").keySchema(k -> k.attributeName("g").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
        DynamoDbException range = assertThrows(DynamoDbException.class,
                () -> ddb.putItem(b -> b.tableName(ranged).item(Map.of("pk", s("a"), "sk", s("r".repeat(1025))))));
        assertEquals("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
                range.awsErrorDetails().errorMessage());
        DynamoDbException index = assertThrows(DynamoDbException.class,
                () -> ddb.putItem(b -> b.tableName(ranged).item(Map.of("pk", s("a"), "sk", s("b"), "g", s(big)))));
        assertEquals("One or more parameter values were invalid: Size limit exceeded for Index Key g Actual Size: 2049 bytes Max Size: 2048 bytes IndexName: byG",
                index.awsErrorDetails().errorMessage());
        DynamoDbException batch = assertThrows(DynamoDbException.class, () -> ddb.batchWriteItem(b -> b.requestItems(Map.of(t,
                List.of(WriteRequest.builder().putRequest(pr -> pr.item(Map.of("pk", s(big)))).build())))));
        assertEquals(hashMessage, batch.awsErrorDetails().errorMessage());
    }

    @Test
    void updateTableCannotRetypeAnExistingKeyAttribute() {
        String t = table();
        DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.updateTable(b -> b.tableName(t)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.N).build())
                .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName("byPk").keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))))));
        assertEquals("ValidationException", errorCode(e), e.getMessage());
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("still-writable"))));
        assertEquals(1, ddb.scan(b -> b.tableName(t)).count());
        var defs = ddb.describeTable(b -> b.tableName(t)).table().attributeDefinitions();
        assertEquals(List.of(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build()), defs);
    }

    // ---- 8. Failed UpdateTable leaves nothing behind ----

    @Test
    void failedUpdateTableLeavesAttributeDefinitionsUnchanged() {
        String t = table();
        assertThrows(ResourceNotFoundException.class, () -> ddb.updateTable(b -> b.tableName(t)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("h").attributeType(ScalarAttributeType.S).build())
                .globalSecondaryIndexUpdates(
                        u -> u.create(c -> c.indexName("byH").keySchema(k -> k.attributeName("h").keyType(KeyType.HASH))
                                .projection(p -> p.projectionType(ProjectionType.ALL))),
                        u -> u.delete(d -> d.indexName("no-such-index")))));
        var table = ddb.describeTable(b -> b.tableName(t)).table();
        assertEquals(List.of("pk"), table.attributeDefinitions().stream().map(AttributeDefinition::attributeName).toList());
        assertTrue(table.globalSecondaryIndexes().isEmpty(), table.globalSecondaryIndexes().toString());
    }

    // ---- 9. Tag limit ----

    @Test
    void tagResourceBeyondFiftyTagsKeepsNone() {
        String t = table();
        String arn = ddb.describeTable(b -> b.tableName(t)).table().tableArn();
        List<Tag> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) fifty.add(Tag.builder().key("k" + i).value("v" + i).build());
        ddb.tagResource(b -> b.resourceArn(arn).tags(fifty));
        DynamoDbException e = assertThrows(DynamoDbException.class,
                () -> ddb.tagResource(b -> b.resourceArn(arn).tags(Tag.builder().key("one-too-many").value("x").build())));
        assertEquals(400, e.statusCode(), e.getMessage());
        List<Tag> tags = ddb.listTagsOfResource(b -> b.resourceArn(arn)).tags();
        assertEquals(50, tags.size());
        assertFalse(tags.stream().anyMatch(tag -> tag.key().equals("one-too-many")));
    }

    // ---- 10. GSI projections: a global index cannot be asked for what it does not project ----

    @Test
    void aGlobalIndexRefusesProjectionsAndFiltersOnAttributesItDoesNotProject() {
        String t = tableWithKeysOnlyGsi();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "g", s("G"), "secret", s("x"))));
        DynamoDbException projection = assertThrows(DynamoDbException.class, () -> ddb.query(b -> b.tableName(t).indexName("byG")
                .keyConditionExpression("g = :g").expressionAttributeValues(Map.of(":g", s("G"))).projectionExpression("pk, secret, #m.x")
                .expressionAttributeNames(Map.of("#m", "more"))));
        assertEquals("One or more parameter values were invalid: Global secondary index byG does not project [secret, more]",
                projection.awsErrorDetails().errorMessage());
        DynamoDbException filter = assertThrows(DynamoDbException.class, () -> ddb.scan(b -> b.tableName(t).indexName("byG")
                .filterExpression("secret = :x").expressionAttributeValues(Map.of(":x", s("x")))));
        assertEquals("One or more parameter values were invalid: Secondary index byG does not project one or more filter attributes: [secret]",
                filter.awsErrorDetails().errorMessage());
        DynamoDbException legacy = assertThrows(DynamoDbException.class, () -> ddb.query(b -> b.tableName(t).indexName("byG")
                .keyConditionExpression("g = :g").expressionAttributeValues(Map.of(":g", s("G"))).attributesToGet("secret")));
        assertEquals("ValidationException", errorCode(legacy), legacy.getMessage());
        // what the index does project is still served, and nothing else (an ALL_PROJECTED read)
        QueryResponse q = ddb.query(b -> b.tableName(t).indexName("byG").keyConditionExpression("g = :g")
                .filterExpression("pk = :a").projectionExpression("pk").expressionAttributeValues(Map.of(":g", s("G"), ":a", s("a"))));
        assertEquals(List.of(Map.of("pk", s("a"))), q.items());
        ScanResponse all = ddb.scan(b -> b.tableName(t).indexName("byG"));
        assertEquals(List.of(Map.of("pk", s("a"), "g", s("G"))), all.items());
    }

    // ---- 11. No-op writes ----

    @Test
    void writesThatChangeNothingProduceNoStreamRecord() {
        String t = streamTable();
        Map<String, AttributeValue> item = Map.of("pk", s("a"), "n", n("5"), "tag", s("x"));
        ddb.putItem(b -> b.tableName(t).item(item));
        ddb.putItem(b -> b.tableName(t).item(new HashMap<>(item))); // identical
        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("a"))).updateExpression("SET n = :five")
                .expressionAttributeValues(Map.of(":five", n("5"))));
        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("a"))).updateExpression("SET n = :six")
                .expressionAttributeValues(Map.of(":six", n("6"))));
        String arn = ddb.describeTable(b -> b.tableName(t)).table().latestStreamArn();
        String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String it = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<Record> rs = streams.getRecords(b -> b.shardIterator(it)).records();
        assertEquals(List.of("INSERT", "MODIFY"), rs.stream().map(Record::eventNameAsString).toList(), rs.toString());
        assertEquals("5", rs.get(1).dynamodb().oldImage().get("n").n());
        assertEquals("6", rs.get(1).dynamodb().newImage().get("n").n());
    }

    // ---- 12. Malformed input is a client error, not a 500 ----

    @Test
    void malformedInputIsAClientErrorNotAnInternalError() throws Exception {
        String t = tableWithKeysOnlyGsi();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "g", s("G"))));
        assertAwsClientError(post("DynamoDB_20120810.Scan", "{\"TableName\":\"" + t + "\",\"IndexName\":\"byG\","
                + "\"ExclusiveStartKey\":{\"pk\":{\"S\":\"a\"},\"g\":{\"NULL\":true}}}"), "Scan on a GSI with a NULL index key in ExclusiveStartKey");

        String st = streamTable();
        String arn = ddb.describeTable(b -> b.tableName(st)).table().latestStreamArn();
        String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
        for (String raw : List.of("a|b|c|d", arn + "|" + shard + "|c|d", arn + "|" + shard + "|0|d", arn + "|" + shard + "|x|" + System.currentTimeMillis())) {
            String iterator = Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
            assertAwsClientError(post("DynamoDBStreams_20120810.GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}"), "GetRecords on iterator " + raw);
        }

        assertAwsClientError(post("DynamoDB_20120810.CreateTable", "{\"TableName\":\"no-attr-type\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\"}],"
                + "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}"), "CreateTable without AttributeType");

        assertAwsClientError(post("DynamoDB_20120810.UpdateTable", "{\"TableName\":\"" + t + "\","
                + "\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"S\"}],"
                + "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"byH\",\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}"),
                "UpdateTable GSI Create without KeySchema");
        assertEquals(200, post("DynamoDB_20120810.ListTables", "{}").statusCode());
    }

    // ---- 13. Wrong JSON types ----

    @Test
    void wrongJsonTypesForTransactAndBatchListsAreRefused() throws Exception {
        for (String target : List.of("DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.TransactGetItems")) {
            for (String items : List.of("{}", "\"abc\"", "5")) {
                assertAwsClientError(post(target, "{\"TransactItems\":" + items + "}"), target + " with TransactItems " + items);
            }
        }
        for (String items : List.of("[1]", "\"abc\"")) {
            assertAwsClientError(post("DynamoDB_20120810.BatchWriteItem", "{\"RequestItems\":" + items + "}"), "BatchWriteItem with RequestItems " + items);
            assertAwsClientError(post("DynamoDB_20120810.BatchGetItem", "{\"RequestItems\":" + items + "}"), "BatchGetItem with RequestItems " + items);
        }
    }

    // ---- 14. Streams outlive their table ----

    @Test
    void streamStaysReadableAfterItsTableIsDeleted() {
        String t = streamTable();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"))));
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("b"))));
        String arn = ddb.describeTable(b -> b.tableName(t)).table().latestStreamArn();
        String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String it = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        ddb.deleteTable(b -> b.tableName(t));

        var d = streams.describeStream(b -> b.streamArn(arn)).streamDescription();
        assertEquals("DISABLED", d.streamStatusAsString());
        assertEquals(t, d.tableName());
        List<Record> rs = streams.getRecords(b -> b.shardIterator(it)).records();
        assertEquals(List.of("INSERT", "INSERT"), rs.stream().map(Record::eventNameAsString).toList());
        assertEquals("a", rs.get(0).dynamodb().keys().get("pk").s());
    }

    // ---- 15. Index write units ----

    @Test
    void keysOnlyIndexIsChargedForItsProjectedItemNotTheWholeItem() {
        String t = tableWithKeysOnlyGsi();
        String pad = "x".repeat(10 * 1024 - 100);
        ConsumedCapacity c = ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "g", s("G"), "pad", s(pad)))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES)).consumedCapacity();
        assertNotNull(c.globalSecondaryIndexes().get("byG"), c.toString());
        assertEquals(10.0, c.table().capacityUnits(), c.toString());
        assertEquals(1.0, c.globalSecondaryIndexes().get("byG").capacityUnits(), c.toString());
        assertEquals(11.0, c.capacityUnits(), c.toString());
    }

    // ---- 16. An update that only removes does not create the item ----

    @Test
    void anUpdateThatOnlyRemovesCreatesNoItemButOneThatSetsDoes() throws Exception {
        String t = streamTable();
        String arn = ddb.describeTable(b -> b.tableName(t)).table().latestStreamArn();
        var removed = ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("gone"))).updateExpression("REMOVE a, b.c")
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW));
        assertFalse(removed.hasAttributes() && !removed.attributes().isEmpty(), removed.toString());
        var updatedNew = ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("gone"))).updateExpression("DELETE tags :t")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromSs(List.of("x"))))
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.UPDATED_NEW));
        assertFalse(updatedNew.hasAttributes() && !updatedNew.attributes().isEmpty(), updatedNew.toString());
        HttpResponse<String> legacy = post("DynamoDB_20120810.UpdateItem", "{\"TableName\":\"" + t
                + "\",\"Key\":{\"pk\":{\"S\":\"gone\"}},\"AttributeUpdates\":{\"a\":{\"Action\":\"DELETE\"}}}");
        assertEquals(200, legacy.statusCode(), legacy.body());
        HttpResponse<String> inTransaction = post("DynamoDB_20120810.TransactWriteItems", "{\"TransactItems\":[{\"Update\":{\"TableName\":\"" + t
                + "\",\"Key\":{\"pk\":{\"S\":\"gone\"}},\"UpdateExpression\":\"REMOVE a\"}}]}");
        assertEquals(200, inTransaction.statusCode(), inTransaction.body());
        assertFalse(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("gone"))).consistentRead(true)).hasItem(), "REMOVE / DELETE created the item");

        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("empty")))); // no actions at all: DynamoDB creates the key
        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("set"))).updateExpression("SET a = :one REMOVE b")
                .expressionAttributeValues(Map.of(":one", n("1"))));
        assertEquals(Map.of("pk", s("empty")), ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("empty"))).consistentRead(true)).item());
        assertEquals(Map.of("pk", s("set"), "a", n("1")), ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("set"))).consistentRead(true)).item());
        // and a REMOVE on an item that exists still removes, in a transaction too
        post("DynamoDB_20120810.TransactWriteItems", "{\"TransactItems\":[{\"Update\":{\"TableName\":\"" + t
                + "\",\"Key\":{\"pk\":{\"S\":\"set\"}},\"UpdateExpression\":\"REMOVE a\"}}]}");
        assertEquals(Map.of("pk", s("set")), ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("set"))).consistentRead(true)).item());

        String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String it = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<String> keys = streams.getRecords(b -> b.shardIterator(it)).records().stream()
                .map(r -> r.eventNameAsString() + " " + r.dynamodb().keys().get("pk").s()).toList();
        assertEquals(List.of("INSERT empty", "INSERT set", "MODIFY set"), keys, "no stream record for the updates that wrote nothing");
    }

    // ---- 18. BatchGetItem answers at most 16 MB ----

    @Test
    void batchGetItemStopsAt16MegabytesAndReturnsTheRestAsUnprocessedKeys() {
        String t = table();
        String filler = "y".repeat(390 * 1024);
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            Map<String, AttributeValue> key = Map.of("pk", s("k" + i));
            ddb.putItem(b -> b.tableName(t).item(Map.of("pk", key.get("pk"), "filler", s(filler))));
            keys.add(key);
        }
        var first = ddb.batchGetItem(b -> b.requestItems(Map.of(t, software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder()
                .keys(keys).consistentRead(true).projectionExpression("pk, filler").build())));
        int got = first.responses().get(t).size();
        var rest = first.unprocessedKeys().get(t);
        assertNotNull(rest, "45 items of 390 KB are more than 16 MB: some keys must come back unprocessed");
        assertEquals(42, got, "as many ~390 KB items as 16 MB holds"); // 42 × 399,371 B ≤ 16 MiB < 43 × 399,371 B
        assertEquals(45, got + rest.keys().size());
        assertEquals("pk, filler", rest.projectionExpression(), "the unprocessed keys carry their request's parameters");
        assertTrue(rest.consistentRead());
        var second = ddb.batchGetItem(b -> b.requestItems(first.unprocessedKeys()));
        assertTrue(second.unprocessedKeys().isEmpty(), second.unprocessedKeys().toString());
        java.util.Set<String> all = new java.util.HashSet<>();
        first.responses().get(t).forEach(i -> all.add(i.get("pk").s()));
        second.responses().get(t).forEach(i -> all.add(i.get("pk").s()));
        assertEquals(45, all.size(), "every key served once over the two calls");
    }

    // ---- 19. Number messages as AWS words them ----

    @Test
    void numbersThatAreNotNumbersOrOverflowGetAwsMessages() throws Exception {
        String t = table();
        DynamoDbException nan = assertThrows(DynamoDbException.class, () -> ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "n", n("NaN")))));
        assertEquals("The parameter cannot be converted to a numeric value: NaN", nan.awsErrorDetails().errorMessage());
        HttpResponse<String> empty = post("DynamoDB_20120810.PutItem", "{\"TableName\":\"" + t + "\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"\"}}}");
        assertAwsClientError(empty, "an empty number");
        assertTrue(empty.body().contains("\"The parameter cannot be converted to a numeric value\""), empty.body());
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("max"), "n", n("9.9999999999999999999999999999999999999E+125"))));
        DynamoDbException over = assertThrows(DynamoDbException.class, () -> ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("max")))
                .updateExpression("SET n = n + :v").expressionAttributeValues(Map.of(":v", n("1E+125")))));
        assertEquals("Number overflow. Attempting to store a number with magnitude larger than supported range", over.awsErrorDetails().errorMessage());
    }

    // ---- 20. A parallel scan's start key must lie in its segment ----

    @Test
    void aParallelScanRefusesAStartKeyFromAnotherSegment() {
        String t = table();
        for (int i = 0; i < 20; i++) {
            int k = i;
            ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("p" + k))));
        }
        // find an item of segment 1 of 2 by scanning that segment
        Map<String, AttributeValue> ofOne = ddb.scan(b -> b.tableName(t).segment(1).totalSegments(2).limit(1)).items().get(0);
        DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.scan(b -> b.tableName(t).segment(0).totalSegments(2).exclusiveStartKey(ofOne)));
        assertEquals("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 1",
                e.awsErrorDetails().errorMessage());
        ddb.scan(b -> b.tableName(t).segment(1).totalSegments(2).exclusiveStartKey(ofOne)); // its own segment takes it
    }

    // ---- 21. Idempotent transactions: the token's length, and what a repeat reports ----

    @Test
    void aRepeatedTransactionReportsReadCapacityAndTokensAreAtMost36Characters() throws Exception {
        String t = table();
        String body = "{\"ClientRequestToken\":\"TOKEN\",\"ReturnConsumedCapacity\":\"TOTAL\",\"TransactItems\":[{\"Update\":{\"TableName\":\"" + t
                + "\",\"Key\":{\"pk\":{\"S\":\"c\"}},\"UpdateExpression\":\"ADD n :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}}]}";
        String token = UUID.randomUUID().toString();
        HttpResponse<String> first = post("DynamoDB_20120810.TransactWriteItems", body.replace("TOKEN", token));
        HttpResponse<String> again = post("DynamoDB_20120810.TransactWriteItems", body.replace("TOKEN", token));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(first.body().contains("\"WriteCapacityUnits\":2.0"), first.body());
        assertTrue(again.body().contains("\"ReadCapacityUnits\":2.0") && !again.body().contains("WriteCapacityUnits"), again.body());
        assertEquals("1", ddb.getItem(g -> g.tableName(t).key(Map.of("pk", s("c"))).consistentRead(true)).item().get("n").n());

        String long37 = "x".repeat(37);
        HttpResponse<String> tooLong = post("DynamoDB_20120810.TransactWriteItems", body.replace("TOKEN", long37));
        assertAwsClientError(tooLong, "a 37-character token");
        assertTrue(tooLong.body().contains("Value '" + long37 + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"),
                tooLong.body());
        assertAwsClientError(post("DynamoDB_20120810.TransactWriteItems", body.replace("TOKEN", "")), "an empty token");
        assertEquals("1", ddb.getItem(g -> g.tableName(t).key(Map.of("pk", s("c"))).consistentRead(true)).item().get("n").n());
    }

    // ---- 22. DescribeStream's Limit ----

    @Test
    void describeStreamChecksItsLimit() throws Exception {
        String t = streamTable();
        String arn = ddb.describeTable(b -> b.tableName(t)).table().latestStreamArn();
        for (int bad : new int[] {0, 101}) {
            HttpResponse<String> r = post("DynamoDBStreams_20120810.DescribeStream", "{\"StreamArn\":\"" + arn + "\",\"Limit\":" + bad + "}");
            assertAwsClientError(r, "Limit " + bad);
            assertTrue(r.body().contains("at 'limit' failed to satisfy constraint"), r.body());
        }
        assertEquals(1, streams.describeStream(b -> b.streamArn(arn).limit(100)).streamDescription().shards().size());
    }

    // ---- 23. A second review: conditions, key values, names, TTL ----

    @Test
    void twoMissingAttributesAreUnequalAndSizeCountsUtf16Units() {
        String t = table();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), "s", s("é𝄞"))));
        // an unset attribute is unequal to anything, another unset one included
        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("a"))).updateExpression("SET x = :one").conditionExpression("q <> z")
                .expressionAttributeValues(Map.of(":one", n("1"))));
        // size() of a string counts UTF-16 code units: é is one, the clef a surrogate pair
        ddb.updateItem(b -> b.tableName(t).key(Map.of("pk", s("a"))).updateExpression("SET y = :one").conditionExpression("size(s) = :three")
                .expressionAttributeValues(Map.of(":one", n("1"), ":three", n("3"))));
        assertThrows(software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException.class, () -> ddb.updateItem(b -> b.tableName(t)
                .key(Map.of("pk", s("a"))).updateExpression("SET y = :one").conditionExpression("size(s) = :six")
                .expressionAttributeValues(Map.of(":one", n("1"), ":six", n("6")))));
    }

    @Test
    void aQueryForAnEmptyPartitionValueIsRefused() {
        String t = table();
        DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.query(b -> b.tableName(t).keyConditionExpression("pk = :v")
                .expressionAttributeValues(Map.of(":v", s("")))));
        assertEquals("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
                e.awsErrorDetails().errorMessage());
    }

    @Test
    void attributeNamesOf64KilobytesAndEmptyPlaceholderNamesAreRefused() {
        String t = table();
        String longest = "n".repeat(65_535), tooLong = "n".repeat(65_536);
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("a"), longest, n("1"))));
        String message = "Attribute name is too large, must be less than 65536 bytes";
        DynamoDbException put = assertThrows(DynamoDbException.class, () -> ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("b"), tooLong, n("1")))));
        assertEquals(message, put.awsErrorDetails().errorMessage());
        DynamoDbException named = assertThrows(DynamoDbException.class, () -> ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("a")))
                .projectionExpression("#n").expressionAttributeNames(Map.of("#n", tooLong))));
        assertEquals(message, named.awsErrorDetails().errorMessage());
        DynamoDbException legacy = assertThrows(DynamoDbException.class, () -> ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("a"))).attributesToGet(tooLong)));
        assertEquals(message, legacy.awsErrorDetails().errorMessage());
        DynamoDbException empty = assertThrows(DynamoDbException.class, () -> ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("a")))
                .projectionExpression("#n").expressionAttributeNames(Map.of("#n", ""))));
        assertEquals("ExpressionAttributeNames contains invalid value: Empty attribute name for key #n", empty.awsErrorDetails().errorMessage());
        assertFalse(ddb.getItem(b -> b.tableName(t).key(Map.of("pk", s("b"))).consistentRead(true)).hasItem());
    }

    @Test
    void timeToLiveOnAnotherAttributeIsRefusedNamingTheCurrentOne() {
        String t = table();
        ddb.updateTimeToLive(b -> b.tableName(t).timeToLiveSpecification(s -> s.attributeName("exp").enabled(true)));
        for (boolean enable : new boolean[] {true, false}) {
            DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.updateTimeToLive(b -> b.tableName(t)
                    .timeToLiveSpecification(s -> s.attributeName("other").enabled(enable))));
            assertEquals("TimeToLive is active on a different AttributeName: current AttributeName is exp", e.awsErrorDetails().errorMessage());
        }
        DynamoDbException again = assertThrows(DynamoDbException.class, () -> ddb.updateTimeToLive(b -> b.tableName(t)
                .timeToLiveSpecification(s -> s.attributeName("exp").enabled(true))));
        assertEquals("TimeToLive is already enabled", again.awsErrorDetails().errorMessage());
    }

    // ---- 24. A third review: queries and transactions ----

    /** pk (S) and a numeric sort key sk (N), three items in partition "p". */
    static String sortedTable() {
        String name = "d-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.N))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE)));
        for (int i = 1; i <= 3; i++) {
            int k = i;
            ddb.putItem(b -> b.tableName(name).item(Map.of("pk", s("p"), "sk", n(Integer.toString(k)))));
        }
        return name;
    }

    @Test
    void aSortKeyValueOfTheWrongTypeOrAStartKeyOutsideTheConditionIsRefused() {
        String t = sortedTable();
        for (String cond : List.of("pk = :p AND sk = :s", "pk = :p AND begins_with(sk, :s)")) {
            DynamoDbException e = assertThrows(DynamoDbException.class, () -> ddb.query(b -> b.tableName(t).keyConditionExpression(cond)
                    .expressionAttributeValues(Map.of(":p", s("p"), ":s", s("2")))));
            assertEquals("One or more parameter values were invalid: Condition parameter type does not match schema type",
                    e.awsErrorDetails().errorMessage(), cond);
        }
        DynamoDbException outside = assertThrows(DynamoDbException.class, () -> ddb.query(b -> b.tableName(t).keyConditionExpression("pk = :p AND sk > :zero")
                .expressionAttributeValues(Map.of(":p", s("p"), ":zero", n("0"))).exclusiveStartKey(Map.of("pk", s("p"), "sk", n("-5")))));
        assertEquals("The provided starting key does not match the range key predicate", outside.awsErrorDetails().errorMessage());
        // a start key the condition matches pages on
        QueryResponse next = ddb.query(b -> b.tableName(t).keyConditionExpression("pk = :p AND sk > :zero")
                .expressionAttributeValues(Map.of(":p", s("p"), ":zero", n("0"))).exclusiveStartKey(Map.of("pk", s("p"), "sk", n("1"))));
        assertEquals(2, next.count());
    }

    @Test
    void aTransactionNamesOnlyItsFirstInvalidAction() {
        String t = table();
        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", s("x"), "v", n("1"))));
        var e = assertThrows(software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.class, () -> ddb.transactWriteItems(b -> b.transactItems(
                w -> w.put(p -> p.tableName(t).item(Map.of("pk", n("1")))),
                w -> w.put(p -> p.tableName(t).item(Map.of("pk", n("2")))),
                w -> w.put(p -> p.tableName(t).item(Map.of("pk", s("x"))).conditionExpression("v = :nine")
                        .expressionAttributeValues(Map.of(":nine", n("9")))))));
        assertEquals(List.of("ValidationError", "None", "None"), e.cancellationReasons().stream().map(r -> r.code()).toList());
    }

    @Test
    void batchAndTransactionWritesReportItemCollectionMetricsWhenAsked() {
        String t = "d-" + UUID.randomUUID();
        ddb.createTable(b -> b.tableName(t).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("alt").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE))
                .localSecondaryIndexes(l -> l.indexName("byAlt").keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH),
                        k -> k.attributeName("alt").keyType(KeyType.RANGE)).projection(p -> p.projectionType(ProjectionType.ALL))));
        var batch = ddb.batchWriteItem(b -> b.returnItemCollectionMetrics(software.amazon.awssdk.services.dynamodb.model.ReturnItemCollectionMetrics.SIZE)
                .requestItems(Map.of(t, List.of(
                        WriteRequest.builder().putRequest(p -> p.item(Map.of("pk", s("a"), "sk", s("1"), "alt", s("x")))).build(),
                        WriteRequest.builder().putRequest(p -> p.item(Map.of("pk", s("b"), "sk", s("1")))).build()))));
        var m = batch.itemCollectionMetrics().get(t);
        assertNotNull(m, batch.toString());
        assertEquals(List.of("a", "b"), m.stream().map(x -> x.itemCollectionKey().get("pk").s()).toList());
        assertEquals(List.of(0.0, 1.0), m.get(0).sizeEstimateRangeGB());

        var tx = ddb.transactWriteItems(b -> b.returnItemCollectionMetrics(software.amazon.awssdk.services.dynamodb.model.ReturnItemCollectionMetrics.SIZE)
                .transactItems(w -> w.put(p -> p.tableName(t).item(Map.of("pk", s("c"), "sk", s("1")))),
                        w -> w.conditionCheck(c -> c.tableName(t).key(Map.of("pk", s("a"), "sk", s("1"))).conditionExpression("attribute_exists(pk)")),
                        w -> w.delete(d -> d.tableName(t).key(Map.of("pk", s("b"), "sk", s("1"))))));
        assertEquals(List.of("c", "b"), tx.itemCollectionMetrics().get(t).stream().map(x -> x.itemCollectionKey().get("pk").s()).toList(),
                "one per item written; a condition check writes nothing");

        String plain = table(); // no local index: nothing to report
        var none = ddb.batchWriteItem(b -> b.returnItemCollectionMetrics(software.amazon.awssdk.services.dynamodb.model.ReturnItemCollectionMetrics.SIZE)
                .requestItems(Map.of(plain, List.of(WriteRequest.builder().putRequest(p -> p.item(Map.of("pk", s("a")))).build()))));
        assertTrue(none.itemCollectionMetrics().isEmpty(), none.toString());
    }
}

