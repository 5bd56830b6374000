package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.config.AwsClients;
import io.herald.core.config.Settings;
import io.herald.core.service.Services;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 12, item 3: each function builds what it uses; item 6: bad settings stop the start with the setting's name. */
class WiringTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static RecordingManagementApi api;
    static Map<String, String> base;

    @BeforeAll
    static void setUp() throws Exception {
        api = new RecordingManagementApi();
        base = Lambda.baseEnv(ddb, ddb.createTables(), api);
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    static Set<String> read(Map<String, String> env, Herald.Tokens tokens) {
        Settings settings = new Settings(env);
        Herald.build(settings, new AwsClients(env), tokens);
        return settings.read();
    }

    @Test
    void functions_that_verify_no_token_should_read_no_jwt_setting() {
        Map<String, String> env = new HashMap<>(base);
        // set, and pointing nowhere: reading the secret would fail the start
        env.put("HERALD_JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:herald");
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:9");
        Set<String> read = read(env, Herald.Tokens.UNUSED);
        assertTrue(read.stream().noneMatch(n -> n.startsWith("HERALD_JWT") || n.equals("HERALD_JWKS_URL")), read.toString());
        for (Function<Map<String, String>, ?> handler : List.<Function<Map<String, String>, ?>>of(
                DisconnectHandler::new, LifecycleHandler::new, PublishHandler::new)) {
            handler.apply(env); // starts: the secret is never asked for
        }
    }

    @Test
    void functions_that_verify_tokens_should_refuse_to_start_without_jwt_configuration() {
        for (Function<Map<String, String>, ?> handler : List.<Function<Map<String, String>, ?>>of(
                ConnectHandler::new, MessageHandler::new, HttpApiHandler::new)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> handler.apply(base));
            assertTrue(e.getMessage().startsWith("no JWT configuration"), e.getMessage());
        }
        Map<String, String> env = new HashMap<>(base);
        env.put("HERALD_JWT_SECRET", "a-secret-long-enough-for-hs256-0123456789");
        assertTrue(read(env, Herald.Tokens.VERIFIED).containsAll(Set.of("HERALD_JWT_SECRET", "HERALD_JWKS_URL")));
    }

    /**
     * A secret from Secrets Manager follows a rotation: with SnapStart every environment starts
     * from the snapshot's value, so a token signed with the new secret makes the function read it
     * again (a stub of Secrets Manager's GetSecretValue stands in for AWS here).
     */
    @Test
    void a_secret_from_secrets_manager_should_follow_its_rotation() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> current = new java.util.concurrent.atomic.AtomicReference<>("first-secret-0123456789abcdef0123456789");
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer sm = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        sm.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            reads.incrementAndGet();
            byte[] b = ("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:1:secret:herald\",\"Name\":\"herald\",\"SecretString\":\""
                    + current.get() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        sm.start();
        try {
            Map<String, String> env = new HashMap<>(base);
            env.put("HERALD_JWT_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:herald");
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:" + sm.getAddress().getPort());
            Services s = Herald.fromEnv(env, Herald.Tokens.VERIFIED);
            assertEquals("u1", s.verifier.verify(hs256(current.get())).userId());
            current.set("rotated-secret-0123456789abcdef0123456789");
            assertEquals("u1", s.verifier.verify(hs256(current.get())).userId(), "verified with the rotated secret");
            assertEquals(2, reads.get(), "read at the start and once after the rotation");
        } finally {
            sm.stop(0);
        }
    }

    static String hs256(String secret) {
        return com.auth0.jwt.JWT.create().withSubject("u1").withExpiresAt(java.time.Instant.now().plusSeconds(600))
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(secret));
    }

    @Test
    void a_function_without_tokens_should_refuse_a_verification_as_a_wiring_mistake() {
        Services s = Herald.fromEnv(base, Herald.Tokens.UNUSED);
        assertThrows(IllegalStateException.class, () -> s.verifier.verify("x"));
    }

    @Test
    void bad_setting_values_should_stop_the_start_naming_the_setting() {
        Map<String, String> cases = Map.of("HERALD_SUBSCRIPTION_SHARDS", "two", "HERALD_FANOUT_CONCURRENCY", "0",
                "HERALD_MAX_MESSAGE_BYTES", "200000", "HERALD_DEDUP_HOURS", "-1", "HERALD_SUBSCRIPTION_LIMIT", "1e3",
                "HERALD_MAX_CONNECTIONS_PER_IP", "-5");
        cases.forEach((name, value) -> {
            Map<String, String> env = new HashMap<>(base);
            env.put(name, value);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Herald.fromEnv(env, Herald.Tokens.UNUSED), name);
            assertTrue(e.getMessage().startsWith(name + " must be") && e.getMessage().endsWith("got '" + value + "'"),
                    e.getMessage());
        });
        Map<String, String> missing = new HashMap<>(base);
        missing.remove("HERALD_LEDGER_TABLE");
        assertEquals("environment variable HERALD_LEDGER_TABLE is not set",
                assertThrows(IllegalStateException.class, () -> Herald.fromEnv(missing, Herald.Tokens.UNUSED)).getMessage());
    }

    @Test
    void a_chat_table_without_its_task_queue_should_stop_the_start() {
        Map<String, String> env = new HashMap<>(base);
        env.put("HERALD_CHAT_TABLE", "Chat");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Herald.fromEnv(env, Herald.Tokens.UNUSED));
        assertTrue(e.getMessage().startsWith("HERALD_CHAT_TABLE is set but HERALD_CHAT_TASKS_QUEUE_URL is not"), e.getMessage());
        env.put("HERALD_CHAT_TASKS_IN_PROCESS", "true"); // explicitly, for a long-lived process
        assertNotNull(Herald.fromEnv(env, Herald.Tokens.UNUSED).chat);
    }

    @Test
    void settings_from_the_template_should_reach_the_core() {
        Map<String, String> env = new HashMap<>(base);
        env.putAll(Map.of("HERALD_SUBSCRIPTION_LIMIT", "7", "HERALD_FANOUT_CONCURRENCY", "5", "HERALD_DEDUP_HOURS", "3",
                "HERALD_MAX_MESSAGE_BYTES", "1000", "HERALD_POLICY", "", "HERALD_ROUTES", " "));
        var c = Herald.fromEnv(env, Herald.Tokens.UNUSED).config;
        assertEquals(7, c.subscriptionLimit());
        assertEquals(5, c.fanoutConcurrency());
        assertEquals(3, c.dedupWindow().toHours());
        assertEquals(1000, c.maxClientMessageBytes());
        assertEquals(null, c.policyJson(), "an empty template parameter keeps the defaults");
        assertEquals(null, c.routesJson());
    }
}
