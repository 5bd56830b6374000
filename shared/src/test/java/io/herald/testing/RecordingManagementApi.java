package io.herald.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * An HTTP server speaking the Management API's wire format (POST/DELETE /{stage}/@connections/{id})
 * that answers 200, 410, 429 or 5xx per connection on demand, or fails a share of all posts at
 * random ({@link #injectFaults}), records what it received and checks each request's SigV4
 * signature. The fault injection of the reliability tests lives here, never in production code.
 */
public final class RecordingManagementApi implements AutoCloseable {
    private final HttpServer server;
    public final Map<String, List<String>> received = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, Integer> goneIds = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> throttles = new ConcurrentHashMap<>();
    private final Map<String, java.util.Deque<Integer>> scripted = new ConcurrentHashMap<>();
    private volatile double faultRate;
    private volatile java.util.Random faults;
    /** Answers given by {@link #injectFaults}, by status. */
    public final Map<Integer, AtomicInteger> injected = new ConcurrentHashMap<>();
    /** Connections that answered 410 to a post, with the body of that post (what they did not receive). */
    public final Map<String, String> diedOn = new ConcurrentHashMap<>();
    public final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    /** Requests whose SigV4 signature (secret {@link #SECRET}, service execute-api) did not check out. */
    public final List<String> badSignatures = Collections.synchronizedList(new ArrayList<>());
    public static final String ACCESS_KEY = "test-access-key", SECRET = "test-secret-key";

    public RecordingManagementApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-mgmt-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint to give the SDK client: http://127.0.0.1:port/ws */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ws";
    }

    public void markGone(String connectionId) {
        goneIds.put(connectionId, 410);
    }

    /** The next {@code times} posts to the connection answer 429. */
    public void throttle(String connectionId, int times) {
        throttles.put(connectionId, new AtomicInteger(times));
    }

    /** The next {@code times} requests (POST or DELETE) for the connection answer {@code status}. */
    public void failNext(String connectionId, int status, int times) {
        java.util.Deque<Integer> q = scripted.computeIfAbsent(connectionId, k -> new java.util.concurrent.ConcurrentLinkedDeque<>());
        for (int i = 0; i < times; i++) q.add(status);
    }

    /**
     * From now on each post fails with probability {@code rate}: 429, 500, 503 or 410, equally
     * often. A 410 is for good (the client went away without $disconnect): that connection
     * answers 410 from then on.
     */
    public void injectFaults(double rate, long seed) {
        faults = new java.util.Random(seed);
        faultRate = rate;
    }

    public boolean isGone(String connectionId) {
        return goneIds.containsKey(connectionId);
    }

    public List<String> to(String connectionId) {
        return received.getOrDefault(connectionId, List.of());
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        String prefix = "/ws/@connections/";
        if (!path.startsWith(prefix)) {
            reply(x, 404, null, "{\"message\":\"Not Found\"}");
            return;
        }
        String id = URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
        byte[] body = x.getRequestBody().readAllBytes();
        if (!signatureHolds(x, body)) badSignatures.add(x.getRequestMethod() + " " + path);
        attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (goneIds.containsKey(id)) {
            reply(x, 410, "GoneException", "{\"message\":null}");
            return;
        }
        java.util.Deque<Integer> q = scripted.get(id);
        Integer status = q == null ? null : q.poll();
        if (status == null && x.getRequestMethod().equals("POST") && faults != null) status = randomFault();
        if (status != null) {
            if (status == 410 && faults != null) {
                goneIds.put(id, 410);
                diedOn.put(id, new String(body, StandardCharsets.UTF_8));
            }
            reply(x, status, errorType(status), "{\"message\":\"injected " + status + "\"}");
            return;
        }
        if (x.getRequestMethod().equals("DELETE")) {
            deleted.add(id);
            reply(x, 204, null, null);
            return;
        }
        AtomicInteger t = throttles.get(id);
        if (t != null && t.getAndDecrement() > 0) {
            reply(x, 429, "LimitExceededException", "{\"message\":\"Too Many Requests\"}");
            return;
        }
        received.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new String(body, StandardCharsets.UTF_8));
        reply(x, 200, null, null);
    }

    private Integer randomFault() {
        synchronized (this) {
            if (faults.nextDouble() >= faultRate) return null;
            int status = new int[] {429, 500, 503, 410}[faults.nextInt(4)];
            injected.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
            return status;
        }
    }

    private static String errorType(int status) {
        return switch (status) {
            case 410 -> "GoneException";
            case 429 -> "LimitExceededException";
            default -> "InternalServerErrorException";
        };
    }

    /**
     * Signs the request as received again, with the SDK's signer at the request's own X-Amz-Date,
     * and compares: a path or header changed after signing, or a wrong service or region, differs.
     */
    private static boolean signatureHolds(HttpExchange x, byte[] body) {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        String date = x.getRequestHeaders().getFirst("X-Amz-Date");
        if (auth == null || date == null || !auth.contains("/execute-api/aws4_request")) return false;
        String signedHeaders = auth.replaceAll(".*SignedHeaders=([^,]+).*", "$1");
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(x.getRequestMethod()))
                .protocol("http").host("127.0.0.1").port(x.getLocalAddress().getPort())
                .encodedPath(x.getRequestURI().getRawPath());
        for (String h : signedHeaders.split(";")) {
            if (!h.equals("host") && !h.equals("x-amz-date")) request.putHeader(h, x.getRequestHeaders().getFirst(h));
        }
        String region = auth.replaceAll(".*Credential=[^/]+/[^/]+/([^/]+)/.*", "$1");
        Instant at = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(date, Instant::from);
        SignedRequest again = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET))
                .request(request.build()).payload(body.length == 0 ? null : ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
        return auth.equals(again.request().firstMatchingHeader("Authorization").orElse(""));
    }

    private static void reply(HttpExchange x, int status, String errorType, String body) throws IOException {
        if (errorType != null) x.getResponseHeaders().add("x-amzn-ErrorType", errorType);
        x.getResponseHeaders().add("Content-Type", "application/json");
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
