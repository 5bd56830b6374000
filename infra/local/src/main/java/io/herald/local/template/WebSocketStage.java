package io.herald.local.template;

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
}
