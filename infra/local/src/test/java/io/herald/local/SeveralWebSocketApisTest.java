package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * Two WebSocket APIs in one template: each at /{ApiLogicalId}/{stage} (the first also at the
 * default path), with its own routes, selection expression, stage and Management API.
 */
class SeveralWebSocketApisTest {
    @TempDir
    Path dir;

    static final String SECOND = """
              ChatApi:
                Type: AWS::ApiGatewayV2::Api
                Properties:
                  ProtocolType: WEBSOCKET
                  RouteSelectionExpression: $request.body.kind
              ChatStage:
                Type: AWS::ApiGatewayV2::Stage
                Properties:
                  ApiId: !Ref ChatApi
                  StageName: live
                  StageVariables:
                    room: lobby
              ChatSay:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref ChatApi
                  RouteKey: say
                  RouteResponseSelectionExpression: $default
                  Target: !Sub integrations/${ChatEcho}
              ChatSayResponse:
                Type: AWS::ApiGatewayV2::RouteResponse
                Properties:
                  ApiId: !Ref ChatApi
                  RouteId: !Ref ChatSay
                  RouteResponseKey: $default
              ChatEcho:
                Type: AWS::ApiGatewayV2::Integration
                Properties:
                  ApiId: !Ref ChatApi
                  IntegrationType: AWS_PROXY
                  IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${EchoFunction.Arn}/invocations
              EchoFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: io.herald.local.EchoHandler::handleRequest
                  Environment:
                    Variables:
                      HERALD_CONNECTIONS_URL: !Sub https://${ChatApi}.execute-api.${AWS::Region}.amazonaws.com/live
            """;

    @Test
    void each_api_should_have_its_own_path_routes_stage_and_management_api() throws Exception {
        try (LocalStack s = MiniTemplate.start(dir, MiniTemplate.with(SECOND));
                WsClient first = WsClient.connect(s.webSocketUrl());
                WsClient firstByName = WsClient.connect(s.webSocketApiEndpoint("Api", "ws"));
                WsClient chat = WsClient.connect(s.webSocketApiEndpoint("ChatApi", "ws"))) {
            assertEquals("ws://localhost:" + s.port() + "/ChatApi/live", s.webSocketApiEndpoint("ChatApi", "ws"));
            // the chat API's route, selected by its own expression, answers through its route response
            chat.send("{\"kind\":\"say\",\"text\":\"hi\"}");
            JsonNode m = chat.next();
            assertEquals("say", m.get("route").asText());
            assertEquals("ChatApi", m.get("api").asText());
            assertEquals("live", m.get("stage").asText());
            assertEquals(s.webSocketApiEndpoint("ChatApi", "http"), m.get("connectionsUrl").asText(),
                    "a function whose template names ChatApi's endpoint gets ChatApi's local Management API");
            // routes are not merged: "say" is not a route of the first API, whose $default (CaptureFunction) answers nothing
            first.send("{\"kind\":\"say\",\"action\":\"say\"}");
            assertNull(first.quiet(700));
            // the chat API has no $default: API Gateway's Forbidden
            chat.send("{\"action\":\"say\"}");
            assertEquals("Forbidden", chat.next().get("message").asText());

            String chatId = s.gateway("ChatApi").open().iterator().next().id();
            try (ApiGatewayManagementApiClient chatManagement = management(s.webSocketApiEndpoint("ChatApi", "http"));
                    ApiGatewayManagementApiClient defaultManagement = management(s.managementEndpoint())) {
                chatManagement.postToConnection(b -> b.connectionId(chatId).data(SdkBytes.fromUtf8String("{\"n\":1}")));
                assertEquals(1, chat.next().get("n").asInt());
                // another API's endpoint does not know this connection, as on AWS
                org.junit.jupiter.api.Assertions.assertThrows(GoneException.class, () -> defaultManagement.postToConnection(
                        b -> b.connectionId(chatId).data(SdkBytes.fromUtf8String("{}"))));
            }
            assertEquals(2, s.gateway("Api").open().size(), "the default path and /Api/ws are one API");
            assertEquals(1, s.metrics().json().at("/apis/ChatApi/connections").asLong());
            assertEquals(2, s.metrics().json().at("/apis/Api/connections").asLong());
        }
    }

    @Test
    void a_route_of_an_api_that_is_not_in_the_template_should_be_refused() throws Exception {
        String bad = MiniTemplate.with(SECOND.replace("ApiId: !Ref ChatApi\n      RouteKey: say", "ApiId: !Ref NoSuchApi\n      RouteKey: say"));
        assertEquals("ChatSay (AWS::ApiGatewayV2::Route): ApiId must be !Ref of a WebSocket API of this template",
                MiniTemplate.refusal(dir, bad));
    }

    static ApiGatewayManagementApiClient management(String endpoint) {
        return ApiGatewayManagementApiClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
