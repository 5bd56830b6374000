package io.herald.local.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The proxy events API Gateway sends a WebSocket integration: CONNECT, MESSAGE, DISCONNECT. */
final class GatewayEvents {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final String stage;
    private final String domainName;
    private final String apiId;
    /** The stage's StageVariables; each event carries them (when there are any), as API Gateway's do. */
    private volatile Map<String, String> stageVariables = Map.of();

    GatewayEvents(String stage, String domainName, String apiId) {
        this.stage = stage;
        this.domainName = domainName;
        this.apiId = apiId;
    }

    void stageVariables(Map<String, String> variables) {
        this.stageVariables = Map.copyOf(variables);
    }

    /** Connection ids look like API Gateway's: 16 characters ending in '=' (which the SDK must percent-encode). */
    static String newConnectionId() {
        byte[] b = new byte[11];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().encodeToString(b);
    }

    static String newRequestId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "=";
    }

    byte[] connect(LocalConnection c, String requestId, Map<String, String> requestHeaders, Map<String, List<String>> query) {
        return bytes(connectEvent(c, requestId, requestHeaders, query));
    }

    /**
     * What a REQUEST authorizer receives on $connect: the CONNECT event plus {@code type},
     * {@code methodArn} and {@code stageVariables}.
     */
    ObjectNode authorizerRequest(LocalConnection c, String requestId, Map<String, String> requestHeaders,
            Map<String, List<String>> query, String methodArn) {
        ObjectNode e = Json.object().put("type", "REQUEST").put("methodArn", methodArn);
        e.setAll(connectEvent(c, requestId, requestHeaders, query));
        e.remove("stageVariables");
        ObjectNode vars = e.putObject("stageVariables");
        stageVariables.forEach(vars::put);
        return e;
    }

    String methodArn(String routeKey) {
        return "arn:aws:execute-api:us-east-1:000000000000:" + apiId + "/" + stage + "/" + routeKey;
    }

    private ObjectNode connectEvent(LocalConnection c, String requestId, Map<String, String> requestHeaders,
            Map<String, List<String>> query) {
        ObjectNode e = Json.object();
        ObjectNode headers = e.putObject("headers");
        ObjectNode multiHeaders = e.putObject("multiValueHeaders");
        requestHeaders.forEach((k, v) -> {
            headers.put(k, v);
            multiHeaders.putArray(k).add(v);
        });
        if (!query.isEmpty()) {
            ObjectNode q = e.putObject("queryStringParameters");
            ObjectNode mq = e.putObject("multiValueQueryStringParameters");
            query.forEach((k, vs) -> {
                q.put(k, vs.get(vs.size() - 1));
                vs.forEach(mq.putArray(k)::add);
            });
        }
        context(e, c, "$connect", "CONNECT", requestId);
        e.put("isBase64Encoded", false);
        return e;
    }

    /** A text frame's MESSAGE event (binary frames never reach an integration: they close with 1003). */
    byte[] message(LocalConnection c, String routeKey, String requestId, String body) {
        ObjectNode e = Json.object();
        ObjectNode ctx = context(e, c, routeKey, "MESSAGE", requestId);
        ctx.put("messageId", newRequestId());
        e.put("body", body);
        e.put("isBase64Encoded", false);
        return bytes(e);
    }

    byte[] disconnect(LocalConnection c, String requestId, int statusCode, String reason) {
        ObjectNode e = Json.object();
        ObjectNode headers = e.putObject("headers");
        headers.put("Host", domainName).put("x-api-key", "").put("x-restapi", "");
        ObjectNode ctx = context(e, c, "$disconnect", "DISCONNECT", requestId);
        ctx.put("disconnectStatusCode", statusCode);
        ctx.put("disconnectReason", reason == null ? "" : reason);
        e.put("isBase64Encoded", false);
        return bytes(e);
    }

    private ObjectNode context(ObjectNode e, LocalConnection c, String routeKey, String eventType, String requestId) {
        Instant now = Instant.now();
        if (!stageVariables.isEmpty()) stageVariables.forEach(e.putObject("stageVariables")::put);
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("routeKey", routeKey).put("eventType", eventType).put("extendedRequestId", requestId)
                .put("requestTime", REQUEST_TIME.format(now)).put("messageDirection", "IN").put("stage", stage)
                .put("connectedAt", c.connectedAt.toEpochMilli()).put("requestTimeEpoch", now.toEpochMilli());
        ctx.putObject("identity").put("sourceIp", c.sourceIp).put("userAgent", c.userAgent);
        if (c.authorizer != null) ctx.set("authorizer", c.authorizer.deepCopy());
        ctx.put("requestId", requestId).put("domainName", domainName).put("connectionId", c.id).put("apiId", apiId);
        return ctx;
    }

    private static byte[] bytes(ObjectNode e) {
        return Json.write(e).getBytes(StandardCharsets.UTF_8);
    }
}
