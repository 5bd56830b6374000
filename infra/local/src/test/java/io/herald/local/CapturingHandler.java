package io.herald.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test function: records every event the local stack hands it, and during $connect posts to
 * its own connection through the Management API to see what API Gateway would answer.
 */
public final class CapturingHandler implements RequestStreamHandler {
    static final List<JsonNode> EVENTS = new CopyOnWriteArrayList<>();
    static volatile int postDuringConnectStatus;
    /** A SigV4 Authorization header's shape: the local stack checks a request is signed, not the signature. */
    static final String SIGNED = "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/execute-api/aws4_request, "
            + "SignedHeaders=host, Signature=0000";

    private final Map<String, String> env;

    public CapturingHandler(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws java.io.IOException {
        JsonNode event = Json.parse(in);
        EVENTS.add(event);
        if ("CONNECT".equals(event.path("requestContext").path("eventType").asText())) {
            String id = event.path("requestContext").path("connectionId").asText();
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        env.get("HERALD_CONNECTIONS_URL") + "/@connections/" + URLEncoder.encode(id, StandardCharsets.UTF_8)))
                        .header("Authorization", SIGNED)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"too\":\"early\"}")).build(), HttpResponse.BodyHandlers.ofString());
                postDuringConnectStatus = r.statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.write("{\"statusCode\":200}".getBytes(StandardCharsets.UTF_8));
    }
}
