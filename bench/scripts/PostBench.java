import java.io.*;
import java.net.*;
import java.net.http.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * The local gateway's Management API post path alone, without a function in between: starts the
 * stack in DIR, opens N WebSockets, then posts one message to each with C in flight, ROUNDS times.
 * {@code java bench/scripts/PostBench.java DIR PORT N C ROUNDS [fixed]}; "fixed" sends Content-Length
 * (streamed body), as SignedHttp does. Connection ids are read from the stack's connect log lines.
 */
public class PostBench {
    public static void main(String[] a) throws Exception {
        if (a.length < 5) {
            System.err.println("usage: java bench/scripts/PostBench.java DIR PORT N C ROUNDS [fixed]");
            System.exit(2);
        }
        String dir = a[0]; int port = Integer.parseInt(a[1]); int n = Integer.parseInt(a[2]); int conc = Integer.parseInt(a[3]);
        int rounds = Integer.parseInt(a[4]); boolean fixedLength = a.length > 5 && a[5].equals("fixed");
        Path log = Files.createTempFile("postbench-stack", ".log");
        Process p = new ProcessBuilder("java", "-Xmx2g", "-jar", "infra/local/target/herald-local.jar", "--port", "" + port,
                "--param", "MaxConnectionsPerIp=0").directory(new File(dir)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String token = null;
            for (int i = 0; i < 600 && token == null; i++) {
                Thread.sleep(100);
                List<String> lines = Files.readAllLines(log);
                for (int j = 0; j < lines.size() - 1; j++) if (lines.get(j).startsWith("Demo token")) token = lines.get(j + 1).trim();
            }
            HttpClient http = HttpClient.newHttpClient();
            AtomicLong received = new AtomicLong();
            List<WebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sockets.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), new WebSocket.Listener() {
                    public CompletionStage<?> onText(WebSocket ws, CharSequence d, boolean last) { if (last) received.incrementAndGet(); ws.request(1); return null; }
                }).get());
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 200 && ids.size() < n; i++) {
                Thread.sleep(100);
                ids.clear();
                for (String l : Files.readAllLines(log)) if (l.startsWith("{\"event\":\"connect\"") && l.contains("\"status\":200")) ids.add(l.replaceAll(".*\"connectionId\":\"([^\"]+)\".*", "$1"));
            }
            Thread.sleep(2000);
            long base = received.get();
            ExecutorService pool = Executors.newFixedThreadPool(conc);
            byte[] body = "{\"type\":\"bench\",\"data\":{\"seq\":1}}".getBytes();
            for (int r = 0; r < rounds; r++) {
                long want = base + (long) ids.size() * (r + 1);
                long t0 = System.nanoTime();
                List<Future<Integer>> fs = new ArrayList<>();
                for (String id : ids) fs.add(pool.submit(() -> {
                    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/ws/@connections/" + URLEncoder.encode(id, "UTF-8")).openConnection();
                    c.setRequestMethod("POST");
                    c.setDoOutput(true);
                    c.setRequestProperty("Authorization", "AWS4-HMAC-SHA256 Credential=x");
                    if (fixedLength) c.setFixedLengthStreamingMode(body.length);
                    try (OutputStream o = c.getOutputStream()) { o.write(body); }
                    int code = c.getResponseCode();
                    try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) { if (in != null) in.readAllBytes(); }
                    return code;
                }));
                int ok = 0;
                for (Future<Integer> f : fs) if (f.get() == 200) ok++;
                long posted = System.nanoTime();
                while (received.get() < want && System.nanoTime() - t0 < 20_000_000_000L) Thread.sleep(1);
                System.out.printf("round %d: %d ok, posted %.0f ms, received %.0f ms%n", r, ok, (posted - t0) / 1e6, (System.nanoTime() - t0) / 1e6);
            }
            pool.shutdown();
        } finally {
            p.destroy();
            p.waitFor();
        }
        System.exit(0);
    }
}
