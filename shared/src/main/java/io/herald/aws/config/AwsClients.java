package io.herald.aws.config;

import io.herald.aws.http.DeferredHttpClient;
import io.herald.aws.http.SignedHttp;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds SDK clients from a function's environment, the way Lambda hands it over: region and
 * credentials from the AWS_* variables, endpoints from AWS_ENDPOINT_URL_&lt;SERVICE&gt; when set
 * (that is all that differs locally). One URLConnection HTTP client for all: it costs the least
 * at cold start and needs no extra jar.
 */
public final class AwsClients {
    /**
     * The JDK keeps at most 5 idle connections per host unless told otherwise, and the URLConnection
     * client relies on that cache: with 32 posts in flight most would open a fresh (TLS) connection
     * to API Gateway. Read once, when the cache class loads, so it is set before any client exists.
     */
    static final int KEEP_ALIVE_CONNECTIONS = 128;

    static {
        jdkHttpDefaults();
    }

    /**
     * The JDK HTTP client settings Herald needs, each read once when the JDK opens its first
     * connection, so called before any client exists: the idle-connection limit raised (unless the
     * operator set -Dhttp.maxConnections) and no POST re-sent by the JDK itself
     * ({@link io.herald.aws.http.SignedHttp#noSilentRetries}).
     */
    public static void jdkHttpDefaults() {
        io.herald.aws.http.SignedHttp.noSilentRetries();
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(KEEP_ALIVE_CONNECTIONS));
        }
    }

    private final Map<String, String> env;
    private final SdkHttpClient http;
    private final Region region;
    private final AwsCredentialsProvider credentials;

    public AwsClients(Map<String, String> env) {
        this.env = env;
        this.http = new DeferredHttpClient("UrlConnection", () -> UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)).build());
        this.region = Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
        this.credentials = credentials(env);
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (key == null || secret == null) return DefaultCredentialsProvider.create();
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null
                ? AwsBasicCredentials.create(key, secret) : AwsSessionCredentials.create(key, secret, token));
    }

    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "DYNAMODB").httpClient(http).build();
    }

    /** Signed calls with this function's credentials and region: the Management API, SSM, Secrets Manager. */
    public SignedHttp signedHttp() {
        return new SignedHttp(http, credentials, region.id());
    }

    /** Secrets Manager GetSecretValue: the SecretString. */
    public String secretString(String secretId) {
        return AwsJsonCall.call(signedHttp(), endpoint("SECRETS_MANAGER", "secretsmanager"), "secretsmanager",
                "secretsmanager.GetSecretValue", io.herald.core.json.Json.object().put("SecretId", secretId))
                .path("SecretString").asText(null);
    }

    /** SSM GetParameter with decryption: the value of a SecureString. */
    public String parameterValue(String name) {
        return AwsJsonCall.call(signedHttp(), endpoint("SSM", "ssm"), "ssm", "AmazonSSM.GetParameter",
                io.herald.core.json.Json.object().put("Name", name).put("WithDecryption", true))
                .path("Parameter").path("Value").asText(null);
    }

    /** SQS's endpoint for this region (or AWS_ENDPOINT_URL_SQS): where JSON-protocol calls go, the queue URL in the body. */
    public URI sqsEndpoint() {
        return endpoint("SQS", "sqs");
    }

    private URI endpoint(String service, String host) {
        String override = env.getOrDefault("AWS_ENDPOINT_URL_" + service, env.get("AWS_ENDPOINT_URL"));
        return URI.create(override != null && !override.isBlank() ? override : "https://" + host + "." + region.id() + ".amazonaws.com");
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(region).credentialsProvider(credentials);
        String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_" + service, env.get("AWS_ENDPOINT_URL"));
        if (endpoint != null && !endpoint.isBlank()) builder.endpointOverride(URI.create(endpoint));
        return builder;
    }
}
