package io.herald.aws.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The secret is read with the real Secrets Manager and SSM clients, pointed (as the local stack
 * points DynamoDB) at an endpoint that answers in those services' JSON 1.1 wire format.
 */
class JwtSecretsTest {
    HttpServer server;
    final List<String> targets = new CopyOnWriteArrayList<>();
    final List<String> signed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            String target = x.getRequestHeaders().getFirst("X-Amz-Target");
            String request = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            targets.add(target + " " + request);
            if (request.contains("missing")) {
                byte[] err = "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Secrets Manager can't find the specified secret.\"}"
                        .getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(400, err.length);
                x.getResponseBody().write(err);
                x.close();
                return;
            }
            signed.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            String body = switch (target) {
                case "secretsmanager.GetSecretValue" -> "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:1:secret:herald\",\"Name\":\"herald\","
                        + "\"SecretString\":\"{\\\"secret\\\":\\\"from-secrets-manager-0123456789abcdef\\\"}\"}";
                case "AmazonSSM.GetParameter" -> "{\"Parameter\":{\"Name\":\"/herald/jwt\",\"Type\":\"SecureString\","
                        + "\"Value\":\"from-ssm-0123456789abcdef0123456789\",\"Version\":1}}";
                default -> "{}";
            };
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    Map<String, String> env(String name, String value) {
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "secret",
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint, "AWS_ENDPOINT_URL_SSM", endpoint, name, value);
    }

    @Test
    void the_secret_should_come_from_secrets_manager_unwrapped() {
        Map<String, String> e = env("HERALD_JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:herald");
        assertEquals("from-secrets-manager-0123456789abcdef", JwtSecrets.resolve(e, new AwsClients(e)));
        assertTrue(targets.get(0).contains("\"SecretId\":\"arn:aws:secretsmanager:us-east-1:1:secret:herald\""), targets.toString());
        assertTrue(signed.get(0).startsWith("AWS4-HMAC-SHA256"), "requests are SigV4-signed");
    }

    @Test
    void the_secret_should_come_from_an_ssm_securestring_decrypted() {
        Map<String, String> e = env("HERALD_JWT_SECRET_PARAMETER", "/herald/jwt");
        assertEquals("from-ssm-0123456789abcdef0123456789", JwtSecrets.resolve(e, new AwsClients(e)));
        assertTrue(targets.get(0).contains("\"WithDecryption\":true"), targets.toString());
    }

    @Test
    void a_missing_secret_should_fail_init_with_the_services_reason() {
        Map<String, String> e = env("HERALD_JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:missing");
        IllegalStateException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> JwtSecrets.resolve(e, new AwsClients(e)));
        assertTrue(x.getMessage().contains("ResourceNotFoundException") && x.getMessage().contains("HTTP 400"), x.getMessage());
    }

    @Test
    void a_direct_secret_wins_and_none_means_jwks_only() {
        Map<String, String> e = env("HERALD_JWT_SECRET", "direct-0123456789abcdef0123456789");
        assertEquals("direct-0123456789abcdef0123456789", JwtSecrets.resolve(e, new AwsClients(e)));
        Map<String, String> none = env("UNRELATED", "x");
        assertNull(JwtSecrets.resolve(none, new AwsClients(none)));
        assertTrue(targets.isEmpty(), "no service call when the secret is given or not configured");
        assertEquals("plain", JwtSecrets.unwrap("plain"));
    }

    /** Issue 11, item 17: HERALD_JWT_SECRET used to win silently over the managed secret. */
    @Test
    void two_sources_should_be_refused_before_any_service_call() {
        Map<String, String> e = new java.util.HashMap<>(env("HERALD_JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:herald"));
        e.put("HERALD_JWT_SECRET", "direct-0123456789abcdef0123456789");
        IllegalStateException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> JwtSecrets.resolve(e, new AwsClients(e)));
        assertTrue(x.getMessage().contains("HERALD_JWT_SECRET, HERALD_JWT_SECRET_ARN"), x.getMessage());
        assertTrue(!x.getMessage().contains("direct-0123"), "the secret itself is never in the message");
        e.remove("HERALD_JWT_SECRET");
        e.put("HERALD_JWT_SECRET_PARAMETER", "/herald/jwt");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> JwtSecrets.resolve(e, new AwsClients(e)));
        assertTrue(targets.isEmpty(), "refused before fetching anything");
    }

    @Test
    void the_development_secret_should_be_refused_outside_the_local_stack() {
        Map<String, String> e = env("HERALD_JWT_SECRET", JwtSecrets.DEVELOPMENT_SECRET);
        IllegalStateException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> JwtSecrets.resolve(e, new AwsClients(e)));
        assertTrue(x.getMessage().contains("development secret"), x.getMessage());
        Map<String, String> local = new java.util.HashMap<>(e);
        local.put(JwtSecrets.ALLOW_DEVELOPMENT_SECRET, "true");
        assertEquals(JwtSecrets.DEVELOPMENT_SECRET, JwtSecrets.resolve(local, new AwsClients(local)));
    }
}
