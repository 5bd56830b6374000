package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.DynamoDbEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The README's run command, as a process: it starts, serves, and on SIGTERM closes sockets and
 * exits; --data-dir keeps data across restarts and refuses, with a message, what it cannot use.
 */
class LocalJarIT {
    static final Path JAR = Path.of("infra/local/target/herald-local.jar");

    static Process start(String... args) throws Exception {
        return startWith(List.of(), args);
    }

    static Process startWith(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Reads the banner up to the WebSocket URL, then drains the rest in the background. */
    static String webSocketUrl(Process p) throws Exception {
        return bannerLine(p, Pattern.compile("WebSocket API\\s+(ws://\\S+)"));
    }

    /** The engine's endpoint from the banner's line {@code DynamoDB  http://127.0.0.1:PORT}, as the engine alone prints it. */
    static String dynamoEndpoint(Process p) throws Exception {
        return bannerLine(p, Pattern.compile("^DynamoDB  (http://127\\.0\\.0\\.1:\\d+)$"));
    }

    /**
     * Reads the output up to the first line {@code line} finds and returns its group 1; the rest is
     * drained in the background. Fails after 60 s even if the process prints nothing more.
     */
    private static String bannerLine(Process p, Pattern line) throws Exception {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).lines().forEach(lines::add);
            } catch (java.io.UncheckedIOException e) {
                // the process ended and closed its output
            }
        });
        reader.setDaemon(true);
        reader.start();
        StringBuilder seen = new StringBuilder();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String l = lines.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
            if (l == null) break;
            seen.append(l).append('\n');
            Matcher m = line.matcher(l);
            if (m.find()) return m.group(1);
        }
        throw new AssertionError("no line like " + line + " printed within 60 s:\n" + seen);
    }

    static DynamoDbClient dynamo(String endpoint) {
        return DynamoDbClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** Runs a start that must fail; returns everything it printed. */
    static String failedStart(int exitCode, String... args) throws Exception {
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(exitCode, p.exitValue(), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception in thread"), "a message, not a stack trace:\n" + out);
        return out;
    }

    @Test
    void help_and_bad_options_should_explain_themselves() throws Exception {
        Process help = start("--help");
        String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue());
        assertTrue(out.contains("--data-dir"), out);

        Process bad = start("--port", "eighty");
        String err = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bad.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue());
        assertTrue(err.contains("port must be a number"), err);
    }

    @Test
    void template_parameters_the_template_refuses_should_stop_the_start_with_its_reason() throws Exception {
        assertTrue(failedStart(2, "--profile", "bogus").contains("herald-local: Parameter 'DefaultProfile' must be one of AllowedValues"));
        assertTrue(failedStart(2, "--param", "NoSuchThing=1").contains("herald-local: template has no parameter NoSuchThing"));
        assertTrue(failedStart(2, "--param", "FanoutConcurrency=0").contains("must be a number not less than 1"));
        assertTrue(failedStart(2, "--param", "FanoutConcurrency=many").contains("must be a number, not 'many'"));
    }

    @Test
    void the_banner_should_name_the_embedded_engine_which_serves_the_template_tables() throws Exception {
        Process p = start("--port", "0");
        try (DynamoDbClient ddb = dynamo(dynamoEndpoint(p))) {
            assertTrue(ddb.listTables().tableNames().containsAll(List.of("ConnectionsTable", "SubscriptionsTable")));
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_data_dir_should_keep_items_across_a_restart(@TempDir Path dir) throws Exception {
        // the ledger: no stream, so no function reacts to the item
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("kept-1"));
        Process first = start("--port", "0", "--data-dir", dir.toString());
        try (DynamoDbClient ddb = dynamo(dynamoEndpoint(first))) {
            ddb.putItem(b -> b.tableName("LedgerTable").item(key));
        } finally {
            first.destroy();
        }
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        Process second = start("--port", "0", "--data-dir", dir.toString());
        try (DynamoDbClient ddb = dynamo(dynamoEndpoint(second))) {
            assertTrue(ddb.getItem(b -> b.tableName("LedgerTable").key(key)).hasItem(), "the item written before the restart");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_data_dir_left_by_dynamodb_local_should_be_refused_with_a_clear_message(@TempDir Path dir) throws Exception {
        // DynamoDB Local, which the stack embedded before, keeps its tables in SQLite files such as this
        Files.write(dir.resolve("shared-local-instance.db"), "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII));
        String out = failedStart(1, "--port", "0", "--data-dir", dir.toString());
        assertTrue(out.contains("herald-local: cannot start: ") && out.contains("shared-local-instance.db")
                && out.contains("DynamoDB Local"), out);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("shared-local-instance.db"), files.map(f -> f.getFileName().toString()).toList(), "left alone");
        }
    }

    @Test
    void a_kept_table_whose_keys_differ_from_the_template_should_stop_the_start(@TempDir Path dir) throws Exception {
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(dir).start(); DynamoDbClient ddb = dynamo(engine.endpoint().toString())) {
            ddb.createTable(b -> b.tableName("SubscriptionsTable").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("bucket").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("bucket").keyType(KeyType.HASH)));
        }
        String out = failedStart(1, "--port", "0", "--data-dir", dir.toString());
        assertTrue(out.contains("herald-local: cannot start: table SubscriptionsTable in the data directory has keys")
                && out.contains("move the data directory away"), out);
    }

    @Test
    void sigterm_should_close_sockets_with_1001_and_exit_without_hung_threads() throws Exception {
        Process p = start("--port", "0");
        String wsUrl = webSocketUrl(p);

        WsClient c = WsClient.connect(wsUrl + "?protocol=topics");
        c.send("{\"type\":\"ping\"}");
        assertEquals("pong", c.next().get("type").asText());

        p.destroy(); // SIGTERM, as Ctrl-C's shutdown path
        assertEquals(1001, c.awaitClose());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the JVM must exit: no non-daemon thread may be left running");
    }

    @Test
    void the_stack_should_let_the_jvm_return_idle_heap_but_keep_flags_the_user_set() throws Exception {
        Process p = startWith(List.of("-XX:MaxHeapFreeRatio=50"), "--port", "0");
        try {
            webSocketUrl(p);
            String flags = "";
            // attaching to a JVM that has just started can time out on a loaded machine: a few tries
            for (int attempt = 0; attempt < 5 && !flags.contains("MaxHeapFreeRatio"); attempt++) {
                Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(p.pid()), "VM.flags", "-all").redirectErrorStream(true).start();
                flags = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS));
            }
            assertEquals("50", flag(flags, "MaxHeapFreeRatio"), "set on the command line: left alone");
            assertEquals("10", flag(flags, "MinHeapFreeRatio"));
            assertEquals("30000", flag(flags, "G1PeriodicGCInterval"));
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String flag(String vmFlagsAll, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s+=\\s+(\\S+)").matcher(vmFlagsAll);
        return m.find() ? m.group(1) : "(absent)";
    }
}
