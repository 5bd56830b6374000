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
}
