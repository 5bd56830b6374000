package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-way routes from a template of the test's own: a MOCK integration answers through its
 * integration response's mapping template, an AWS_PROXY integration sends the function's body
 * back, both only where a route response is declared; what is not emulated is refused at start.
 */
class TwoWayRoutesTest {
    @TempDir
    Path dir;

    static final String MOCK = """
              Stage:
                Type: AWS::ApiGatewayV2::Stage
                Properties:
                  ApiId: !Ref Api
                  StageName: !Ref Stage
                  StageVariables:
                    color: blue
              EchoRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: echo
                  RouteResponseSelectionExpression: $default
                  Target: !Sub integrations/${EchoMock}
              EchoRouteResponse:
                Type: AWS::ApiGatewayV2::RouteResponse
                Properties:
                  ApiId: !Ref Api
                  RouteId: !Ref EchoRoute
                  RouteResponseKey: $default
              EchoMock:
                Type: AWS::ApiGatewayV2::Integration
                Properties:
                  ApiId: !Ref Api
                  IntegrationType: MOCK
                  TemplateSelectionExpression: \\$default
                  RequestTemplates:
                    $default: |
                      #if($input.path('$.ok') == false){"statusCode": 400}#else{"statusCode": 200}#end
              EchoOk:
                Type: AWS::ApiGatewayV2::IntegrationResponse
                Properties:
                  ApiId: !Ref Api
                  IntegrationId: !Ref EchoMock
                  IntegrationResponseKey: $default
                  TemplateSelectionExpression: \\$default
                  ResponseTemplates:
                    $default: |
                      #set($who = $context.connectionId)
                      {"echo": $input.json('$.data'), "id": "$who", "route": "$context.routeKey", "event": "$context.eventType", "color": "$stageVariables.color", "ip": "$context.identity.sourceIp", "text": "$util.escapeJavaScript($input.path('$.text'))"}
              EchoBad:
                Type: AWS::ApiGatewayV2::IntegrationResponse
                Properties:
                  ApiId: !Ref Api
                  IntegrationId: !Ref EchoMock
                  IntegrationResponseKey: /4\\d\\d/
                  ResponseTemplates:
                    $default: '{"error": "not ok", "stage": "$context.stage"}'
              QuietRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: quiet
                  Target: !Sub integrations/${EchoMock}
              ProxyRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: proxy
                  RouteResponseSelectionExpression: $default
                  Target: !Sub integrations/${Echo}
              ProxyRouteResponse:
                Type: AWS::ApiGatewayV2::RouteResponse
                Properties:
                  ApiId: !Ref Api
                  RouteId: !Ref ProxyRoute
                  RouteResponseKey: $default
              OneWayProxyRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: oneway
                  Target: !Sub integrations/${Echo}
              Echo:
                Type: AWS::ApiGatewayV2::Integration
                Properties:
                  ApiId: !Ref Api
                  IntegrationType: AWS_PROXY
                  IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${EchoFunction.Arn}/invocations
              EchoFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: io.herald.local.EchoHandler::handleRequest
            """;

    @Test
    void a_mock_route_should_answer_with_its_integration_responses_template() throws Exception {
        try (LocalStack s = MiniTemplate.start(dir, MiniTemplate.with(MOCK));
                WsClient c = WsClient.connect(s.webSocketUrl() + "?mark=twoway")) {
            String id = CapturingHandler.EVENTS.stream().filter(e -> "twoway".equals(e.at("/queryStringParameters/mark").asText()))
                    .findFirst().orElseThrow().at("/requestContext/connectionId").asText();
            c.send("{\"action\":\"echo\",\"data\":{\"n\":[1,2]},\"text\":\"say \\\"hi\\\"\"}");
            JsonNode m = c.next();
            assertEquals("{\"n\":[1,2]}", m.get("echo").toString());
            assertEquals(id, m.get("id").asText());
            assertEquals("echo", m.get("route").asText());
            assertEquals("MESSAGE", m.get("event").asText());
            assertEquals("blue", m.get("color").asText());
            assertEquals("127.0.0.1", m.get("ip").asText());
            assertEquals("say \"hi\"", m.get("text").asText(), "escaped for a JSON string, read back whole");

            c.send("{\"action\":\"echo\",\"ok\":false}");
            JsonNode bad = c.next();
            assertEquals("not ok", bad.get("error").asText(), "a 400 from the request template selects /4\\d\\d/");
            assertEquals("ws", bad.get("stage").asText());

            c.send("{\"action\":\"quiet\",\"data\":1}");
            assertNull(c.quiet(700), "without a route response nothing is sent back");
            LocalStackEndToEndTest.waitUntil(() -> s.metrics().json().at("/apis/Api/messagesIn").asLong() == 3);
        }
    }

    @Test
    void a_proxy_route_with_a_route_response_should_send_the_functions_body_back() throws Exception {
        try (LocalStack s = MiniTemplate.start(dir, MiniTemplate.with(MOCK)); WsClient c = WsClient.connect(s.webSocketUrl())) {
            c.send("{\"action\":\"oneway\"}");
            assertNull(c.quiet(700), "a one-way route answers nothing, whatever the function returns");
            c.send("{\"action\":\"proxy\",\"x\":1}");
            JsonNode m = c.next();
            assertEquals("proxy", m.get("route").asText());
            assertEquals("{\"action\":\"proxy\",\"x\":1}", m.get("echo").asText());
        }
    }

    @Test
    void what_is_not_emulated_should_be_refused_naming_resource_and_property() throws Exception {
        assertEquals("EchoMock (AWS::ApiGatewayV2::Integration): IntegrationType HTTP is not emulated by the local stack (AWS_PROXY and MOCK are)",
                MiniTemplate.refusal(dir, MiniTemplate.with(MOCK.replace("IntegrationType: MOCK", "IntegrationType: HTTP"))));
        assertEquals("EchoRoute (AWS::ApiGatewayV2::Route): RouteResponseSelectionExpression $request.body.kind: API Gateway supports $default only",
                MiniTemplate.refusal(dir, MiniTemplate.with(MOCK.replace("RouteKey: echo\n      RouteResponseSelectionExpression: $default",
                        "RouteKey: echo\n      RouteResponseSelectionExpression: $request.body.kind"))));
        String message = MiniTemplate.refusal(dir, MiniTemplate.with(MOCK.replace("\"stage\": \"$context.stage\"", "\"b\": \"$request.body\"")));
        assertTrue(message.startsWith("EchoBad (AWS::ApiGatewayV2::IntegrationResponse): ResponseTemplates.$default: $request (line 1) is not a variable"),
                message);
        message = MiniTemplate.refusal(dir, MiniTemplate.with(MOCK.replace("      RouteResponseKey: $default\n  EchoMock:",
                "      RouteResponseKey: $default\n      ResponseModels: {}\n  EchoMock:")));
        assertEquals("EchoRouteResponse (AWS::ApiGatewayV2::RouteResponse): ResponseModels is not emulated by the local stack", message);
        message = MiniTemplate.refusal(dir, MiniTemplate.with(MOCK.replace("  EchoBad:\n", "  EchoBad2:\n    Type: AWS::ApiGatewayV2::IntegrationResponse\n"
                + "    Properties: {ApiId: !Ref Api, IntegrationId: !Ref Echo, IntegrationResponseKey: $default}\n  EchoBad:\n")));
        assertTrue(message.startsWith("Echo (AWS::ApiGatewayV2::Integration): an AWS::ApiGatewayV2::IntegrationResponse on an AWS_PROXY"), message);
    }
}
