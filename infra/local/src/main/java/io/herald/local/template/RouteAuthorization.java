package io.herald.local.template;

import static io.herald.local.template.Refusals.refused;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WebSocket routes' authorization as the template declares it: a Lambda REQUEST authorizer on
 * $connect ({@code AuthorizationType: CUSTOM}, an {@code AWS::ApiGatewayV2::Authorizer}). Route and
 * authorizer properties the local stack does not emulate are refused with the resource and property
 * named: a route protected on AWS must never be open locally.
 */
public final class RouteAuthorization {
    /** The $connect authorizer: the function it invokes and its identity sources. */
    public record Authorizer(String logicalId, String function, List<String> identitySources) {}

    private static final Set<String> ROUTE_PROPERTIES = Set.of("ApiId", "RouteKey", "Target", "AuthorizationType",
            "AuthorizerId", "OperationName", "ApiKeyRequired", "RouteResponseSelectionExpression");
    /** AuthorizerCredentialsArn is the IAM role API Gateway invokes with: no behaviour locally. */
    private static final Set<String> AUTHORIZER_PROPERTIES = Set.of("ApiId", "AuthorizerType", "AuthorizerUri",
            "IdentitySource", "Name", "AuthorizerCredentialsArn");

    private RouteAuthorization() {}

    /**
     * The $connect authorizer of the template's (first) WebSocket API.
     *
     * @throws IllegalStateException naming the resource and property the local stack cannot honour
     */
    public static Optional<Authorizer> connectAuthorizer(SamTemplate t) {
        return connectAuthorizer(t, null);
    }

    /** The $connect authorizer of one API ({@code apiId} its logical id; null: any route). */
    public static Optional<Authorizer> connectAuthorizer(SamTemplate t, String apiId) {
        Authorizer found = null;
        for (var e : t.ofType("AWS::ApiGatewayV2::Route").entrySet()) {
            String id = e.getKey() + " (AWS::ApiGatewayV2::Route)";
            Map<String, Object> p = SamTemplate.props(e.getValue());
            if (apiId != null && !apiId.equals(WebSocketApis.ref(p.get("ApiId")))) continue;
            for (String key : p.keySet()) {
                if (!ROUTE_PROPERTIES.contains(key)) throw refused(id, key, "is not emulated by the local stack");
            }
            if ("true".equalsIgnoreCase(String.valueOf(t.resolve(p.getOrDefault("ApiKeyRequired", "false"))))) {
                throw refused(id, "ApiKeyRequired", "true: API keys are not emulated by the local stack");
            }
            String type = String.valueOf(t.resolve(p.getOrDefault("AuthorizationType", "NONE")));
            String routeKey = String.valueOf(t.resolve(p.get("RouteKey")));
            switch (type) {
                case "NONE" -> { }
                case "CUSTOM" -> {
                    if (!routeKey.equals("$connect")) {
                        throw refused(id, "AuthorizationType", "CUSTOM: API Gateway allows an authorizer on $connect only");
                    }
                    Object ref = SamTemplate.map(p.get("AuthorizerId")).get("Ref");
                    if (ref == null) throw refused(id, "AuthorizerId", "must be !Ref of an AWS::ApiGatewayV2::Authorizer");
                    found = authorizer(t, String.valueOf(ref));
                }
                default -> throw refused(id, "AuthorizationType", type + " is not emulated by the local stack (NONE and CUSTOM are)");
            }
        }
        return Optional.ofNullable(found);
    }

    private static Authorizer authorizer(SamTemplate t, String logicalId) {
        Map<String, Object> resource = t.ofType("AWS::ApiGatewayV2::Authorizer").get(logicalId);
        if (resource == null) throw new IllegalStateException("AuthorizerId !Ref " + logicalId + ": no such AWS::ApiGatewayV2::Authorizer");
        String id = logicalId + " (AWS::ApiGatewayV2::Authorizer)";
        Map<String, Object> p = SamTemplate.props(resource);
        for (String key : p.keySet()) {
            if (key.equals("AuthorizerResultTtlInSeconds") || key.equals("AuthorizerPayloadFormatVersion")
                    || key.equals("EnableSimpleResponses") || key.equals("JwtConfiguration")) {
                throw refused(id, key, "applies to HTTP APIs only; WebSocket authorizers do not take it");
            }
            if (!AUTHORIZER_PROPERTIES.contains(key)) throw refused(id, key, "is not emulated by the local stack");
        }
        String type = String.valueOf(t.resolve(p.get("AuthorizerType")));
        if (!type.equals("REQUEST")) throw refused(id, "AuthorizerType", type + ": WebSocket APIs take REQUEST authorizers only");
        Object uri = p.get("AuthorizerUri");
        Object raw = SamTemplate.map(uri).containsKey("Fn::Sub") ? SamTemplate.map(uri).get("Fn::Sub") : uri;
        Matcher m = Pattern.compile("functions/\\$\\{(\\w+)").matcher(String.valueOf(raw));
        if (!m.find()) throw refused(id, "AuthorizerUri", "does not invoke a function of this template");
        List<String> sources = new ArrayList<>();
        Object is = t.resolve(p.get("IdentitySource"));
        if (is instanceof List<?> l) l.forEach(x -> sources.add(String.valueOf(t.resolve(x))));
        else if (is != null) sources.add(String.valueOf(is));
        for (String s : sources) {
            if (!s.startsWith("route.request.header.") && !s.startsWith("route.request.querystring.")) {
                throw refused(id, "IdentitySource", s + " is not emulated (route.request.header.* and route.request.querystring.* are)");
            }
        }
        return new Authorizer(logicalId, m.group(1), sources);
    }
}
