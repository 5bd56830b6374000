package io.herald.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test REQUEST authorizer deciding by the {@code token} query parameter: {@code allow-NAME}
 * allows NAME, {@code deny} denies, {@code unauthorized} fails with Lambda's "Unauthorized",
 * {@code other-resource} allows another route only, {@code nested} puts an object in the context.
 */
public final class TestAuthorizer implements RequestStreamHandler {
    static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws java.io.IOException {
        JsonNode request = Json.parse(in);
        REQUESTS.add(request);
        String token = request.path("queryStringParameters").path("token").asText();
        String arn = request.path("methodArn").asText();
        if (token.equals("unauthorized")) throw new RuntimeException("Unauthorized");
        ObjectNode answer = Json.object();
        answer.put("principalId", token.startsWith("allow-") ? token.substring(6) : "someone");
        String resource = token.equals("other-resource") ? arn.replace("$connect", "$default") : arn.replaceAll("/[^/]+/\\$connect$", "/*/\\$connect");
        ObjectNode statement = answer.putObject("policyDocument").put("Version", "2012-10-17").putArray("Statement").addObject();
        statement.put("Action", "execute-api:Invoke").put("Effect", token.equals("deny") ? "Deny" : "Allow").put("Resource", resource);
        ObjectNode ctx = answer.putObject("context").put("tenant", "t1").put("level", 3).put("admin", false);
        if (token.equals("nested")) ctx.putObject("roles").put("a", 1);
        out.write(Json.write(answer).getBytes(StandardCharsets.UTF_8));
    }
}
