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
    static final String RETRY_POST = "sun.net.http.retryPost";

    static {
        noSilentRetries();
    }

    /**
     * Tells the JDK's HttpURLConnection never to send a POST a second time by itself when the
     * connection drops before the answer (it does by default, below Herald's retry policy and its
     * counts, so a post API Gateway had accepted landed twice unexplained). Read once, when the JDK
     * first opens an HTTP connection: this class and {@code AwsClients} set it in their static
     * initialisers. An operator's own {@code -Dsun.net.http.retryPost} is kept.
     */
    public static void noSilentRetries() {
        if (System.getProperty(RETRY_POST) == null) System.setProperty(RETRY_POST, "false");
    }

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
        // No Content-Length: with one, HttpURLConnection streams the body and writes it apart from
        // the headers; with Nagle's algorithm on (the JDK's default) the body then waits for the
        // ACK of the headers, and a fan-out to 1,000 took 1.15x as long (docs/benchmark-history.md).
        // Without one it sends both in one write; noSilentRetries keeps it from re-sending the POST.
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
