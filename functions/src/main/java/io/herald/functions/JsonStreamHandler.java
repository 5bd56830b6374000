package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.herald.core.delivery.Deadline;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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

    /** @param context Lambda's (null in tests that call without one): its remaining time is the invocation's deadline */
    protected abstract JsonNode handle(JsonNode event, Context context);

    /**
     * The invocation's deadline less {@code reserve}, or less half the time the invocation started
     * with when that is shorter, so that a function deployed with a short timeout still works;
     * no deadline without a context.
     */
    static Deadline deadline(Context context, Duration reserve) {
        if (context == null) return Deadline.NONE;
        Deadline timeout = () -> context.getRemainingTimeInMillis();
        return timeout.minus(Duration.ofMillis(Math.min(reserve.toMillis(), timeout.remainingMillis() / 2)));
    }

    /** One entry of a partial batch response: Lambda retries the record it names (and, for streams, those after it). */
    static void failed(ArrayNode failures, String itemIdentifier) {
        failures.addObject().put("itemIdentifier", itemIdentifier);
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
