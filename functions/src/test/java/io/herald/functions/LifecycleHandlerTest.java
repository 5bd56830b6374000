package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The connections stream: which records the handler acts on, and that one bad record stops none of the others. */
class LifecycleHandlerTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    LifecycleHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        handler = new LifecycleHandler(Lambda.baseEnv(ddb, ddb.createTables(), api)); // no JWT settings: it verifies no token
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    static String record(String eventName, String newImage) {
        return "{\"eventID\":\"e-" + eventName + "\",\"eventName\":\"" + eventName + "\",\"dynamodb\":{"
                + (newImage == null ? "" : "\"NewImage\":" + newImage) + "}}";
    }

    static String booking(String id) {
        long now = System.currentTimeMillis();
        return "{\"connectionId\":{\"S\":\"" + id + "\"},\"profile\":{\"S\":\"booking\"},\"connectedAt\":{\"N\":\"" + now + "\"},"
                + "\"attrs\":{\"M\":{\"eventId\":{\"S\":\"7\"}}},\"ttl\":{\"N\":\"" + (now / 1000 + 7200) + "\"},"
                + "\"blob\":{\"B\":\"aGk=\"}}";
    }

    @Test
    void the_sample_insert_should_get_its_welcome_frame() {
        JsonNode r = Lambda.invoke(handler, Lambda.sample("lifecycle-insert.json"));
        assertEquals(1, r.get("handled").asInt());
        assertEquals("connection_established", Json.parse(api.to("sample-conn-5").get(0)).get("type").asText());
    }

    @Test
    void only_inserts_of_connections_should_be_handled_and_a_bad_record_should_stop_no_other() {
        String event = "{\"Records\":["
                + record("MODIFY", booking("x-modified")) + ","
                + record("REMOVE", null) + ","
                + record("INSERT", "{\"pk\":{\"S\":\"stats#1\"}}") + ","       // not a connection
                + record("INSERT", "{\"connectionId\":{\"Q\":\"?\"}}") + ","   // not DynamoDB JSON: logged, skipped
                + record("INSERT", booking("x-new")) + "]}";                   // with a binary attribute

        JsonNode r = Lambda.invoke(handler, event);

        assertEquals(1, r.get("handled").asInt(), r.toString());
        assertEquals(1, api.to("x-new").size());
        assertTrue(api.to("x-modified").isEmpty());
    }

    static String numbered(String seq, String newImage) {
        return "{\"eventID\":\"e-" + seq + "\",\"eventName\":\"INSERT\",\"dynamodb\":{\"SequenceNumber\":\"" + seq
                + "\",\"NewImage\":" + newImage + "}}";
    }

    /**
     * A batch that would outlast the timeout stops while the reserve is left and hands the rest
     * back (ReportBatchItemFailures, the template's mapping): Lambda retries from the first record
     * not taken, and the ones handled are not retried.
     */
    @Test
    void a_batch_running_out_of_time_should_hand_back_the_records_it_did_not_take() {
        String event = "{\"Records\":[" + numbered("100", booking("t-1")) + "," + numbered("200", booking("t-2")) + ","
                + numbered("300", booking("t-3")) + "," + numbered("400", booking("t-4")) + "]}";
        long plenty = 25_000, under = LifecycleHandler.RESERVE.toMillis() - 1;

        // time runs short once t-2 has its welcome
        JsonNode r = Lambda.invoke(handler, event, Lambda.remaining(() -> api.to("t-2").isEmpty() ? plenty : under));

        assertEquals(2, r.get("handled").asInt(), r.toString());
        assertEquals("[{\"itemIdentifier\":\"300\"}]", Json.write(r.get("batchItemFailures")));
        assertEquals(1, api.to("t-2").size());
        assertTrue(api.to("t-3").isEmpty() && api.to("t-4").isEmpty(), "the rest is the retry's");

        JsonNode all = Lambda.invoke(handler, event, Lambda.remaining(() -> plenty));
        assertEquals("[]", Json.write(all.get("batchItemFailures")), "with time enough: no failures, the whole batch handled");

        // deployed with a 4 s timeout, the reserve is half of it, not 10 s: records are taken, not all handed back
        JsonNode shortTimeout = Lambda.invoke(handler, event.replace("t-", "s-"), Lambda.remaining(() -> 4_000));
        assertEquals(4, shortTimeout.get("handled").asInt(), shortTimeout.toString());
        assertEquals("[]", Json.write(shortTimeout.get("batchItemFailures")));
    }

    static String chatConnection(String id, String user) {
        long now = System.currentTimeMillis();
        return "{\"connectionId\":{\"S\":\"" + id + "\"},\"userId\":{\"S\":\"" + user + "\"},\"profile\":{\"S\":\"chat\"},"
                + "\"connectedAt\":{\"N\":\"" + now + "\"},\"attrs\":{\"M\":{\"username\":{\"S\":\"" + user + "\"}}},"
                + "\"ttl\":{\"N\":\"" + (now / 1000 + 7500) + "\"}}";
    }

    /** A REMOVE record: by DynamoDB's TTL (the service's identity, as AWS writes it) or by a $disconnect's delete. */
    static String removal(String oldImage, boolean byTtl) {
        return "{\"eventID\":\"e-remove\",\"eventName\":\"REMOVE\",\"dynamodb\":{\"OldImage\":" + oldImage + "}"
                + (byTtl ? ",\"userIdentity\":{\"type\":\"Service\",\"principalId\":\"dynamodb.amazonaws.com\"}" : "") + "}";
    }

    @Test
    void a_chat_connection_removed_by_ttl_should_send_user_offline_once() throws Exception {
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        String chatTable = "Chat-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        ddb.client().createTable(io.herald.aws.dynamodb.DynamoDbSchema.chatTable(chatTable));
        java.util.Map<String, String> env = Lambda.baseEnv(ddb, t, api);
        env.put("HERALD_CHAT_TABLE", chatTable);
        env.put("HERALD_CHAT_TASKS_IN_PROCESS", "true");
        LifecycleHandler chat = new LifecycleHandler(env);
        new io.herald.aws.dynamodb.DynamoDbChatStore(ddb.client(), chatTable, null).upsert("k1", java.util.List.of("alice", "bob"),
                java.time.Instant.now());
        // alice is connected; bob's connection arrives on the stream
        new io.herald.aws.dynamodb.DynamoDbConnectionStore(ddb.client(), t.connections()).put(new io.herald.core.model.Connection("alice-ws",
                "alice", "chat", java.time.Instant.now(), null, null, java.util.Map.of(), System.currentTimeMillis() / 1000 + 7500));
        assertEquals(1, Lambda.invoke(chat, "{\"Records\":[" + record("INSERT", chatConnection("bob-ws", "bob")) + "]}").get("handled").asInt());
        assertEquals(java.util.List.of("user:online"), events(api.to("alice-ws")));

        // a delete by $disconnect or a 410 cleanup: those paths ran the hook themselves
        assertEquals(0, Lambda.invoke(chat, "{\"Records\":[" + removal(chatConnection("bob-ws", "bob"), false) + "]}").get("handled").asInt());
        assertEquals(java.util.List.of("user:online"), events(api.to("alice-ws")));

        // removed by TTL: bob never got $disconnect; then the same record again (Lambda's retry)
        assertEquals(1, Lambda.invoke(chat, "{\"Records\":[" + removal(chatConnection("bob-ws", "bob"), true) + "]}").get("handled").asInt());
        Lambda.invoke(chat, "{\"Records\":[" + removal(chatConnection("bob-ws", "bob"), true) + "]}");
        assertEquals(java.util.List.of("user:online", "user:offline"), events(api.to("alice-ws")));
        assertEquals("bob", Json.parse(api.to("alice-ws").get(1)).path("data").path("user_id").asText());
    }

    static java.util.List<String> events(java.util.List<String> frames) {
        return frames.stream().map(f -> Json.parse(f).path("event").asText()).toList();
    }
}
