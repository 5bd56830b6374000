package io.herald.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The local stack jar as a child process, so its memory is measured apart from the clients'. */
final class StackProcess implements AutoCloseable {
    final Process process;
    final String wsUrl;
    final String httpUrl;
    final String dynamoEndpoint;
    final String managementUrl;
    final String token;

    StackProcess(int port) throws IOException, InterruptedException {
        this(command(List.of("-jar", "infra/local/target/herald-local.jar"), port));
    }

    /** {@code java -Xmx2g [bench.stackJvm] <launch> --port PORT --param MaxConnectionsPerIp=0 [more]}. */
    static List<String> command(List<String> launch, int port, String... more) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx2g"));
        // extra JVM options for the stack, for profiling runs: -Dbench.stackJvm="-XX:NativeMemoryTracking=summary"
        String extra = System.getProperty("bench.stackJvm", "").trim();
        if (!extra.isEmpty()) cmd.addAll(List.of(extra.split("\\s+")));
        cmd.addAll(launch);
        cmd.addAll(List.of("--port", Integer.toString(port), "--param", "MaxConnectionsPerIp=0"));
        // template parameters for the stack, e.g. -Dbench.stackParams=InlineFanOutLimit=100000 to keep
        // the 10,000 fan-out inline (above the default 2,000 it goes through the fan-out queue's tree)
        for (String param : System.getProperty("bench.stackParams", "").trim().split("\\s+")) {
            if (!param.isEmpty()) cmd.addAll(List.of("--param", param));
        }
        cmd.addAll(List.of(more));
        return cmd;
    }

    /** A stack started by {@code cmd}, which prints the local stack's banner. */
    StackProcess(List<String> cmd) throws IOException, InterruptedException {
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ws = null, http = null, ddb = null, mgmt = null, tok = null;
        Pattern url = Pattern.compile("(WebSocket API|HTTP API|DynamoDB|Management API)\\s+(\\S+)");
        String line;
        boolean tokenNext = false;
        long deadline = System.currentTimeMillis() + 120_000;
        while ((line = out.readLine()) != null && System.currentTimeMillis() < deadline) {
            Matcher m = url.matcher(line);
            if (m.find()) {
                switch (m.group(1)) {
                    case "WebSocket API" -> ws = m.group(2);
                    case "HTTP API" -> http = m.group(2);
                    case "DynamoDB" -> ddb = m.group(2);
                    default -> mgmt = m.group(2).replace("/@connections/{connectionId}", "");
                }
            }
            if (tokenNext) {
                tok = line.trim();
                break;
            }
            tokenNext = line.startsWith("Demo token");
        }
        if (tok == null) throw new IOException("the local stack did not start");
        wsUrl = ws;
        httpUrl = http;
        dynamoEndpoint = ddb;
        managementUrl = mgmt;
        token = tok;
        // -Dbench.stackLog=FILE keeps everything the stack prints (its functions' log lines), for diagnosis
        String logFile = System.getProperty("bench.stackLog");
        java.io.PrintStream log = logFile == null ? null : new java.io.PrintStream(new java.io.FileOutputStream(logFile, true), true);
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (log != null) log.println(l);
                    if (l.startsWith("[herald-local]")) System.err.println("stack: " + l); // its errors matter to a run
                }
            } catch (IOException closed) {
                // the process was stopped
            }
        }, "stack-output");
        drain.setDaemon(true);
        drain.start();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Waits (at most 60 s) until the stack uses under 5 % of a core, so a scenario does not start
     * while the stack is still busy with the previous one or with its own JIT compilation.
     */
    void awaitQuiet() throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        long before = cpuTicks();
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(1_000);
            long now = cpuTicks();
            if (now - before < 5) return; // /proc counts 100 ticks per second of CPU
            before = now;
        }
        System.err.println("the stack did not become quiet within 60 s; measuring anyway");
    }

    /** User + system CPU time of the stack process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
    private long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Resident set size in KB, from /proc. */
    long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        }
        return -1;
    }

    /** Heap in use after a full GC, in KB (jcmd). */
    long heapUsedKb() throws IOException, InterruptedException {
        run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(process.pid()), "GC.run");
        String info = run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(process.pid()), "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The JVM's native memory summary, when the stack runs with -XX:NativeMemoryTracking. */
    String nativeMemory() throws IOException, InterruptedException {
        return jcmd("VM.native_memory", "summary");
    }

    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid())));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
