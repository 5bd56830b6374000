package io.herald.aws.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * One SigV4-signed call to an AWS JSON 1.1 API (Secrets Manager, SSM), with the SDK's own signer
 * and HTTP client. Herald makes one such call per container, to read its JWT secret; the full
 * SSM and Secrets Manager SDK modules would be two thirds of the deployment jar for it.
 */
final class AwsJsonCall {
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private AwsJsonCall() {}

    /**
     * @param signingName the service's SigV4 name ({@code secretsmanager}, {@code ssm})
     * @param target      the X-Amz-Target operation ({@code secretsmanager.GetSecretValue})
     * @throws IllegalStateException with the service's error type and message on a non-2xx answer
     */
    static JsonNode call(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint,
            String signingName, String target, ObjectNode body) {
        byte[] payload = Json.write(body).getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .putHeader("Content-Type", "application/x-amz-json-1.1").putHeader("X-Amz-Target", target).build();
        SignedRequest signed = SIGNER.sign(r -> r.identity(credentials.resolveCredentials()).request(request)
                .payload(ContentStreamProvider.fromByteArray(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null)).build()).call();
            String text;
            try (InputStream in = response.responseBody().orElse(null)) {
                text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int status = response.httpResponse().statusCode();
            if (status / 100 != 2) {
                JsonNode err = text.isBlank() ? Json.object() : Json.parse(text);
                throw new IllegalStateException(target + " failed with HTTP " + status + ": "
                        + err.path("__type").asText("") + " " + err.path("message").asText(err.path("Message").asText("")));
            }
            return Json.parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException(target + " could not reach " + endpoint, e);
        }
    }
}
