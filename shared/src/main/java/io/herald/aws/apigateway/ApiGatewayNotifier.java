package io.herald.aws.apigateway;

import io.herald.aws.http.SignedHttp;
import io.herald.core.delivery.ConnectionNotifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The Management API behind the notifier port: PostToConnection and DeleteConnection as signed
 * HTTP calls ({@code POST|DELETE {stage endpoint}/@connections/{id}}, SigV4 service
 * {@code execute-api}). Not the SDK's client: two operations do not need its module, its endpoint
 * rules or its builder, all of which a cold start pays for. No retries here:
 * {@link io.herald.core.delivery.Delivery} retries with its own jittered backoff.
 */
public final class ApiGatewayNotifier implements ConnectionNotifier {
    private static final Map<String, String> BINARY = Map.of("Content-Type", "binary/octet-stream");

    private final SignedHttp http;
    private final String connections;

    /** @param stageEndpoint https://{api}.execute-api.{region}.amazonaws.com/{stage} (the ConnectionsEndpoint output) */
    public ApiGatewayNotifier(SignedHttp http, String stageEndpoint) {
        this.http = http;
        this.connections = stageEndpoint.replaceAll("/+$", "") + "/@connections/";
    }

    @Override
    public Outcome post(String connectionId, byte[] payload) {
        try {
            return outcome(http.send(SdkHttpMethod.POST, uri(connectionId), "execute-api", BINARY, payload).status());
        } catch (IOException | UncheckedIOException | SdkClientException e) {
            return Outcome.RETRYABLE; // no answer: the post may not have reached API Gateway
        }
    }

    static Outcome outcome(int status) {
        if (status / 100 == 2) return Outcome.DELIVERED;
        if (status == 410) return Outcome.GONE;
        return status == 429 || status >= 500 ? Outcome.RETRYABLE : Outcome.REJECTED;
    }

    @Override
    public Outcome disconnect(String connectionId) {
        try {
            // 410: already closed, so the goal is reached
            return outcome(http.send(SdkHttpMethod.DELETE, uri(connectionId), "execute-api", Map.of(), null).status());
        } catch (IOException | UncheckedIOException | SdkClientException e) {
            return Outcome.RETRYABLE;
        }
    }

    /** Connection ids are encoded as the SDK encodes path parameters (API Gateway's end in '='). */
    private URI uri(String connectionId) {
        return URI.create(connections + SdkHttpUtils.urlEncode(connectionId));
    }
}
