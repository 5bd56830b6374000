package io.herald.aws.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
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
 * Sends one SigV4-signed request with the SDK's signer and HTTP client, and nothing else of an SDK
 * client: no retries (callers decide), no endpoint rules, no per-service module. Herald talks to
 * the Management API, Secrets Manager and SSM this way; a full client for each would cost class
 * loading at every cold start and megabytes of jar for two or three operations.
 */
public final class SignedHttp {
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;

    public SignedHttp(SdkHttpClient http, AwsCredentialsProvider credentials, String region) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
    }

    /** A response: the status, the x-amzn-ErrorType header (null when absent) and the body. */
    public record Response(int status, String errorType, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /**
     * @param signingName the service's SigV4 name: {@code execute-api}, {@code ssm}, {@code secretsmanager}
     * @param body        the payload, or null for none
     * @throws IOException when the request got no response (it may or may not have been received)
     */
    public Response send(SdkHttpMethod method, URI uri, String signingName, Map<String, String> headers, byte[] body)
            throws IOException {
        SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(method).uri(uri);
        headers.forEach(b::putHeader);
        // With its length the client streams the body, and the JDK no longer sends a POST a second
        // time by itself when the connection drops before the answer (sun.net.http.retryPost):
        // whether to repeat a request that may have landed is the caller's decision, and counted.
        if (body != null) b.putHeader("Content-Length", Integer.toString(body.length));
        SdkHttpRequest request = b.build();
        ContentStreamProvider payload = body == null ? null : ContentStreamProvider.fromByteArrayUnsafe(body);
        SignedRequest signed = SIGNER.sign(r -> r.identity(credentials.resolveCredentials()).request(request)
                .payload(payload)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                .contentStreamProvider(signed.payload().orElse(null)).build()).call();
        byte[] bytes;
        try (InputStream in = response.responseBody().orElse(null)) {
            bytes = in == null ? new byte[0] : in.readAllBytes();
        }
        String errorType = response.httpResponse().firstMatchingHeader("x-amzn-ErrorType").orElse(null);
        return new Response(response.httpResponse().statusCode(), errorType, bytes);
    }
}
