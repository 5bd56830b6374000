package io.herald.aws.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.aws.http.SignedHttp;
import io.herald.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * One call to an AWS JSON API: 1.1 (Secrets Manager, SSM: one call per container, to read the JWT
 * secret; their SDK modules would be two thirds of the deployment jar for it) or 1.0 (SQS: the
 * tree fan-out's SendMessageBatch and ChangeMessageVisibility, the chat's delayed SendMessage).
 */
public final class AwsJsonCall {
    public static final String JSON_1_0 = "application/x-amz-json-1.0", JSON_1_1 = "application/x-amz-json-1.1";

    private AwsJsonCall() {}

    /**
     * @param signingName the service's SigV4 name ({@code secretsmanager}, {@code ssm})
     * @param target      the X-Amz-Target operation ({@code secretsmanager.GetSecretValue})
     * @throws IllegalStateException with the service's error type and message on a non-2xx answer
     */
    static JsonNode call(SignedHttp http, URI endpoint, String signingName, String target, ObjectNode body) {
        return call(http, endpoint, signingName, JSON_1_1, target, body);
    }

    /** @param contentType {@link #JSON_1_0} or {@link #JSON_1_1}, as the service's protocol says */
    public static JsonNode call(SignedHttp http, URI endpoint, String signingName, String contentType, String target,
            ObjectNode body) {
        try {
            SignedHttp.Response r = http.send(SdkHttpMethod.POST, endpoint, signingName,
                    Map.of("Content-Type", contentType, "X-Amz-Target", target),
                    Json.write(body).getBytes(StandardCharsets.UTF_8));
            String text = new String(r.body(), StandardCharsets.UTF_8);
            if (!r.ok()) {
                JsonNode err = text.isBlank() ? Json.object() : Json.parse(text);
                throw new IllegalStateException(target + " failed with HTTP " + r.status() + ": "
                        + err.path("__type").asText("") + " " + err.path("message").asText(err.path("Message").asText("")));
            }
            return Json.parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException(target + " could not reach " + endpoint, e);
        }
    }
}
