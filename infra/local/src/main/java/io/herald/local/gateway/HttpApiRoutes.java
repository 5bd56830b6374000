package io.herald.local.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.concurrent.DaemonThreads;
import io.herald.core.json.Json;
import io.herald.local.lambda.LocalFunction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.net.URLDecoder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The template's HttpApi events: payload format 2.0 in, the function's response mapped out. */
public final class HttpApiRoutes {
    /** API Gateway HTTP APIs take request payloads of up to 10 MB. */
    static final int MAX_BODY = 10 * 1024 * 1024;
    private final Map<String, LocalFunction> routes;
    /** Route key to the pattern its path template stands for ({@code {id}} is one path segment). */
    private final Map<String, Pattern> patterns = new LinkedHashMap<>();
    /** Lambda's default concurrency per account: invocations beyond it are throttled. */
    static final int CONCURRENCY = 1000;
    /**
     * Invocations run here, not on the HTTP server's threads: those also serve the Management API,
     * and about 200 publications waiting for their own posts held every one of them, so the posts
     * could not be served and the stack stalled (issue 11's load run, docs/reliability.md).
     */
    private final ThreadPoolExecutor invocations = new ThreadPoolExecutor(0, CONCURRENCY, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), DaemonThreads.named("herald-http-invoke"));

    /** @param routes "METHOD /path" to function; a path may hold {@code {name}} parameters, as HTTP APIs allow */
    public HttpApiRoutes(Map<String, LocalFunction> routes) {
        this.routes = Map.copyOf(routes);
        // literal routes first: HTTP APIs prefer the most specific match
        routes.keySet().stream().sorted((a, b) -> Boolean.compare(a.contains("{"), b.contains("{"))).forEach(k -> {
            StringBuilder re = new StringBuilder();
            Matcher m = PARAM.matcher(k);
            int at = 0;
            while (m.find()) {
                re.append(Pattern.quote(k.substring(at, m.start()))).append("(?<").append(m.group(1)).append(">[^/]+)");
                at = m.end();
            }
            re.append(Pattern.quote(k.substring(at)));
            patterns.put(k, Pattern.compile(re.toString()));
        });
    }

    private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");

    public boolean handles(Request request) {
        return match(request) != null;
    }

    private String match(Request r) {
        String actual = r.getMethod().toUpperCase(Locale.ROOT) + " " + r.getHttpURI().getPath();
        for (Map.Entry<String, Pattern> e : patterns.entrySet()) {
            if (e.getValue().matcher(actual).matches()) return e.getKey();
        }
        return null;
    }

    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String routeKey = match(request);
        byte[] body = HttpIo.body(request, MAX_BODY);
        if (body.length > MAX_BODY) {
            // HTTP API's payload quota; the integration never sees a truncated body
            return HttpIo.json(response, callback, 413, "{\"message\":\"Request Entity Too Large\"}");
        }
        ObjectNode e = Json.object().put("version", "2.0").put("routeKey", routeKey)
                .put("rawPath", request.getHttpURI().getPath())
                .put("rawQueryString", request.getHttpURI().getQuery() == null ? "" : request.getHttpURI().getQuery());
        Matcher params = patterns.get(routeKey).matcher(request.getMethod().toUpperCase(Locale.ROOT) + " " + request.getHttpURI().getPath());
        params.matches();
        Matcher names = PARAM.matcher(routeKey);
        if (names.find()) {
            ObjectNode p = e.putObject("pathParameters");
            do {
                p.put(names.group(1), URLDecoder.decode(params.group(names.group(1)), StandardCharsets.UTF_8));
            } while (names.find());
        }
        if (request.getHttpURI().getQuery() != null) {
            ObjectNode q = e.putObject("queryStringParameters");
            for (String pair : request.getHttpURI().getQuery().split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                q.put(k, q.has(k) ? q.get(k).asText() + "," + v : v); // repeated names joined by commas, as API Gateway does
            }
        }
        ObjectNode headers = e.putObject("headers");
        for (HttpField f : request.getHeaders()) {
            String name = f.getName().toLowerCase(Locale.ROOT);
            headers.put(name, headers.has(name) ? headers.get(name).asText() + "," + f.getValue() : f.getValue());
        }
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("accountId", "000000000000").put("apiId", "local").put("domainName", request.getHttpURI().getHost())
                .put("requestId", GatewayEvents.newRequestId()).put("routeKey", routeKey).put("stage", "$default")
                .put("timeEpoch", Instant.now().toEpochMilli());
        ctx.putObject("http").put("method", request.getMethod()).put("path", request.getHttpURI().getPath())
                .put("protocol", "HTTP/1.1").put("sourceIp", Request.getRemoteAddr(request))
                .put("userAgent", request.getHeaders().get("User-Agent"));
        if (body.length > 0) e.put("body", new String(body, StandardCharsets.UTF_8));
        e.put("isBase64Encoded", false);

        byte[] event = Json.write(e).getBytes(StandardCharsets.UTF_8);
        try {
            invocations.execute(() -> invoke(routeKey, event, response, callback));
        } catch (RejectedExecutionException full) {
            // Lambda's 429 (TooManyRequestsException), which an HTTP API answers like any integration failure
            System.err.println("[herald-local] " + routeKey + " throttled: " + CONCURRENCY + " invocations in flight");
            return HttpIo.json(response, callback, 500, "{\"message\":\"Internal Server Error\"}");
        }
        return true;
    }

    /** Runs the route's function and answers with what it returned (payload format 2.0's response mapping). */
    private void invoke(String routeKey, byte[] event, Response response, Callback callback) {
        try {
            JsonNode result = Json.parse(new String(routes.get(routeKey).invoke(event), StandardCharsets.UTF_8));
            if (!result.has("statusCode")) {
                HttpIo.json(response, callback, 200, Json.write(result));
                return;
            }
            Map<String, String> out = new HashMap<>();
            result.path("headers").fields().forEachRemaining(h -> out.put(h.getKey(), h.getValue().asText()));
            String text = result.path("body").asText("");
            byte[] bytes = result.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(text)
                    : text.getBytes(StandardCharsets.UTF_8);
            HttpIo.respond(response, callback, result.get("statusCode").asInt(), null, out, bytes);
        } catch (RuntimeException ex) {
            // a failed or throttled invocation, or an answer that is not a response: API Gateway's 500
            System.err.println("[herald-local] " + routeKey + " failed: " + ex);
            HttpIo.json(response, callback, 500, "{\"message\":\"Internal Server Error\"}");
        }
    }

    /** Stops taking invocations; those running finish on their own (daemon) threads. */
    public void shutdown() {
        invocations.shutdown();
    }
}
