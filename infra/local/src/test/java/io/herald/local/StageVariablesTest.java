package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage's StageVariables reach every event of a connection, from a template of the test's own. */
class StageVariablesTest {
    @TempDir
    Path dir;

    static final String STAGE = """
              Stage:
                Type: AWS::ApiGatewayV2::Stage
                Properties:
                  ApiId: !Ref Api
                  StageName: !Ref Stage
                  StageVariables:
                    color: blue
                    stageName: !Ref Stage
            """;

    @Test
    void every_event_should_carry_the_stage_variables() throws Exception {
        try (LocalStack s = MiniTemplate.start(dir, MiniTemplate.with(STAGE))) {
            WsClient c = WsClient.connect(s.webSocketUrl() + "?mark=stagevars");
            String id = CapturingHandler.EVENTS.stream()
                    .filter(e -> "stagevars".equals(e.path("queryStringParameters").path("mark").asText()))
                    .findFirst().orElseThrow().get("requestContext").get("connectionId").asText();
            c.send("{\"action\":\"x\"}");
            c.close();
            LocalStackEndToEndTest.waitUntil(() -> events(id).size() == 3);
            for (JsonNode e : events(id)) {
                assertEquals("blue", e.path("stageVariables").path("color").asText(), e.toString());
                assertEquals("ws", e.path("stageVariables").path("stageName").asText());
            }
        }
    }

    @Test
    void the_braced_selection_expression_should_select_routes_too() throws Exception {
        String yaml = MiniTemplate.with("""
                  PingRoute:
                    Type: AWS::ApiGatewayV2::Route
                    Properties:
                      ApiId: !Ref Api
                      RouteKey: ping
                      Target: !Sub integrations/${Capture}
                """).replace("RouteSelectionExpression: $request.body.action", "RouteSelectionExpression: ${request.body.action}");
        try (LocalStack s = MiniTemplate.start(dir, yaml); WsClient c = WsClient.connect(s.webSocketUrl())) {
            c.send("{\"action\":\"ping\",\"mark\":\"braced\"}");
            LocalStackEndToEndTest.waitUntil(() -> CapturingHandler.EVENTS.stream()
                    .anyMatch(e -> e.path("body").asText().contains("braced")));
            JsonNode e = CapturingHandler.EVENTS.stream().filter(x -> x.path("body").asText().contains("braced")).findFirst().orElseThrow();
            assertEquals("ping", e.get("requestContext").get("routeKey").asText());
        }
    }

    @Test
    void an_invalid_variable_name_should_be_refused_at_start() throws Exception {
        String bad = MiniTemplate.with(STAGE.replace("color: blue", "\"col-or\": blue"));
        assertTrue(MiniTemplate.refusal(dir, bad).startsWith("Stage (AWS::ApiGatewayV2::Stage): StageVariables.col-or"));
    }

    private static List<JsonNode> events(String connectionId) {
        return CapturingHandler.EVENTS.stream()
                .filter(e -> connectionId.equals(e.path("requestContext").path("connectionId").asText())).toList();
    }
}
