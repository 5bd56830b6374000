package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Raw JSON in, JSON out: the event exactly as the service sent it, with no event-class mapping
 * (cheaper at cold start than aws-lambda-java-events, and identical locally and on AWS).
 */
abstract class JsonStreamHandler implements RequestStreamHandler {
    protected final Services herald;

    protected JsonStreamHandler(Services herald) {
        this.herald = herald;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode result = handle(Json.parse(input), context);
        output.write(Json.write(result).getBytes(StandardCharsets.UTF_8));
    }

    protected abstract JsonNode handle(JsonNode event);

    /** For a handler that watches its deadline (the context's remaining time); the others ignore the context. */
    protected JsonNode handle(JsonNode event, Context context) {
        return handle(event);
    }

    /** The body of an API Gateway proxy event (WebSocket or HTTP API), base64-decoded when flagged. */
    static String body(JsonNode event) {
        String body = Json.text(event, "body");
        if (body != null && event.path("isBase64Encoded").asBoolean(false)) {
            return new String(java.util.Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return body;
    }
}
