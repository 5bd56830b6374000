package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's run command, as a process: it starts, serves, and on SIGTERM closes sockets and exits. */
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
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String wsUrl = null;
        StringBuilder seen = new StringBuilder();
        Pattern url = Pattern.compile("WebSocket API\\s+(ws://\\S+)");
        long deadline = System.currentTimeMillis() + 60_000;
        String line;
        while (wsUrl == null && System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = url.matcher(line);
            if (m.find()) wsUrl = m.group(1);
        }
        assertTrue(wsUrl != null, "no WebSocket URL printed:\n" + seen);
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
        drain.setDaemon(true);
        drain.start();
        return wsUrl;
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
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(p.pid()), "VM.flags", "-all").redirectErrorStream(true).start();
            String flags = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS));
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
