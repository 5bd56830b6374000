package io.herald.local.template;

import io.herald.local.gateway.TokenBucket;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The WebSocket API's stage (AWS::ApiGatewayV2::Stage) as far as the local stack honours it. */
public final class WebSocketStage {
    private WebSocketStage() {}

    /** The stage's StageVariables (values resolved); empty without a stage or variables. */
    public static Map<String, String> variables(SamTemplate t) {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : t.ofType("AWS::ApiGatewayV2::Stage").entrySet()) {
            Map<String, Object> vars = SamTemplate.map(SamTemplate.props(e.getValue()).get("StageVariables"));
            vars.forEach((k, v) -> {
                if (!k.matches("[A-Za-z0-9_]+")) {
                    throw new IllegalStateException(e.getKey() + " (AWS::ApiGatewayV2::Stage): StageVariables." + k
                            + " is not a valid name (letters, digits and underscores, as API Gateway requires)");
                }
                out.put(k, String.valueOf(t.resolve(v)));
            });
        }
        return out;
    }

    /**
     * Each route's throttle: the stage's RouteSettings for that route key, else its
     * DefaultRouteSettings. $disconnect is not throttled (API Gateway runs it best-effort).
     */
    public static Map<String, TokenBucket> throttles(SamTemplate t, Collection<String> routeKeys) {
        Map<String, TokenBucket> out = new LinkedHashMap<>();
        for (var e : t.ofType("AWS::ApiGatewayV2::Stage").entrySet()) {
            Map<String, Object> p = SamTemplate.props(e.getValue());
            Map<String, Object> defaults = SamTemplate.map(p.get("DefaultRouteSettings"));
            Map<String, Object> perRoute = SamTemplate.map(p.get("RouteSettings"));
            for (String key : routeKeys) {
                if (key.equals("$disconnect")) continue;
                Map<String, Object> s = SamTemplate.map(perRoute.get(key));
                Object rate = s.containsKey("ThrottlingRateLimit") ? s.get("ThrottlingRateLimit") : defaults.get("ThrottlingRateLimit");
                Object burst = s.containsKey("ThrottlingBurstLimit") ? s.get("ThrottlingBurstLimit") : defaults.get("ThrottlingBurstLimit");
                if (rate == null && burst == null) continue;
                if (rate == null || burst == null) {
                    throw new IllegalStateException(e.getKey() + " (AWS::ApiGatewayV2::Stage): route " + key
                            + " sets only one of ThrottlingRateLimit and ThrottlingBurstLimit; the local stack needs both");
                }
                out.put(key, new TokenBucket(Double.parseDouble(String.valueOf(t.resolve(rate))),
                        Integer.parseInt(String.valueOf(t.resolve(burst)))));
            }
        }
        return out;
    }
}
