package io.herald.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A test function answering a proxy response whose body names the route and echoes the message and its Management API endpoint. */
public final class EchoHandler implements RequestStreamHandler {
    private final java.util.Map<String, String> env;

    public EchoHandler(java.util.Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws java.io.IOException {
        JsonNode event = Json.parse(in);
        String body = Json.write(Json.object().put("route", event.at("/requestContext/routeKey").asText())
                .put("api", event.at("/requestContext/apiId").asText()).put("stage", event.at("/requestContext/stage").asText())
                .put("echo", event.path("body").asText())
                .put("connectionsUrl", env.getOrDefault("HERALD_CONNECTIONS_URL", "")));
        out.write(Json.write(Json.object().put("statusCode", 200).put("body", body)).getBytes(StandardCharsets.UTF_8));
    }
}
