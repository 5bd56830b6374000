package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input on the wire gets AWS's error shape, never a stack trace, and the server keeps serving. */
class WireTest {
    static DynamoDbEngine engine;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().start();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static HttpResponse<String> post(String target, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(engine.endpoint() + "/"))
                .header("Content-Type", "application/x-amz-json-1.0").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (target != null) b.header("X-Amz-Target", target);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertStillServing() throws Exception {
        HttpResponse<String> r = post("DynamoDB_20120810.ListTables", "{}".getBytes());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("TableNames"));
    }

    @Test
    void malformedJsonIsASerializationError() throws Exception {
        HttpResponse<String> r = post("DynamoDB_20120810.PutItem", "{\"TableName\": \"x\", ".getBytes());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"__type\":\"com.amazon.coral.service#SerializationException\""), r.body());
        assertStillServing();
    }

    @Test
    void unknownOrMissingTargetIsUnknownOperation() throws Exception {
        for (String target : new String[] {"DynamoDB_20120810.DropEverything", null}) {
            HttpResponse<String> r = post(target, "{}".getBytes());
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("UnknownOperationException"), r.body());
        }
        assertStillServing();
    }

    @Test
    void hugeBodyIsRefusedWith413() throws Exception {
        byte[] body = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) ' ');
        HttpResponse<String> r = post("DynamoDB_20120810.PutItem", body);
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("__type"), r.body());
        assertStillServing();
    }

    @Test
    void wrongJsonTypesAreClientErrorsNotCrashes() throws Exception {
        String[] bodies = {
            "[1,2]",
            "{\"TableName\": 5}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {\"S\": 1}}}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {\"N\": \"1e99999\"}}}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {\"B\": \"***\"}}}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {}}}",
            "{\"TableName\": \"t\", \"Item\": [1]}",
        };
        for (String b : bodies) {
            HttpResponse<String> r = post("DynamoDB_20120810.PutItem", b.getBytes());
            assertEquals(400, r.statusCode(), b + " → " + r.body());
            assertTrue(r.body().startsWith("{\"__type\":"), b + " → " + r.body());
        }
        assertStillServing();
    }
}
