package io.herald.functions;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** What Lambda does around a handler in these tests: an environment, event bytes in, JSON out. */
final class Lambda {
    private Lambda() {}

    /** A function's environment against the embedded engine and a recording Management API, without JWT settings. */
    static Map<String, String> baseEnv(EmbeddedDynamoDb ddb, EmbeddedDynamoDb.Tables t, RecordingManagementApi api) {
        Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", RecordingManagementApi.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", RecordingManagementApi.SECRET,
                "AWS_ENDPOINT_URL_DYNAMODB", ddb.endpoint(), "HERALD_CONNECTIONS_URL", api.endpoint(),
                "HERALD_CONNECTIONS_TABLE", t.connections(), "HERALD_SUBSCRIPTIONS_TABLE", t.subscriptions(),
                "HERALD_LEDGER_TABLE", t.ledger()));
        return env;
    }

    /** With the test secret, as the functions that verify tokens get it. */
    static Map<String, String> env(EmbeddedDynamoDb ddb, EmbeddedDynamoDb.Tables t, RecordingManagementApi api) {
        Map<String, String> env = baseEnv(ddb, t, api);
        env.put("HERALD_JWT_SECRET", Tokens.SECRET);
        return env;
    }

    static JsonNode invoke(RequestStreamHandler h, String event) {
        return invoke(h, event, null);
    }

    /** With a Lambda context (the runtime's own cannot run here: tests give a stand-in for what they read of it). */
    static JsonNode invoke(RequestStreamHandler h, String event, com.amazonaws.services.lambda.runtime.Context context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            h.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Json.parse(out.toString(StandardCharsets.UTF_8));
    }

    /** A sample from events/ (the repository root's), as `sam local invoke` would send it. */
    static String sample(String name) {
        try {
            return Files.readString(Path.of("..", "events", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A context whose getRemainingTimeInMillis answers {@code millis} (read when asked); nothing else. */
    static com.amazonaws.services.lambda.runtime.Context remaining(java.util.function.LongSupplier millis) {
        return (com.amazonaws.services.lambda.runtime.Context) java.lang.reflect.Proxy.newProxyInstance(Lambda.class.getClassLoader(),
                new Class<?>[] {com.amazonaws.services.lambda.runtime.Context.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("getRemainingTimeInMillis")) throw new UnsupportedOperationException(method.getName());
                    return (int) millis.getAsLong();
                });
    }
}
