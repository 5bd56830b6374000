package io.herald.local;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small template of a test's own: one WebSocket API whose $connect, $default and $disconnect
 * routes reach {@link CapturingHandler}, with no tables. Tests add resources and properties to it.
 */
final class MiniTemplate {
    static final String BASE = """
            Parameters:
              Stage: {Type: String, Default: ws}
              DefaultProfile: {Type: String, Default: topics}
            Resources:
              Api:
                Type: AWS::ApiGatewayV2::Api
                Properties:
                  ProtocolType: WEBSOCKET
                  RouteSelectionExpression: $request.body.action
              ConnectRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: $connect
                  Target: !Sub integrations/${Capture}
              DefaultRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: $default
                  Target: !Sub integrations/${Capture}
              DisconnectRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: $disconnect
                  Target: !Sub integrations/${Capture}
              Capture:
                Type: AWS::ApiGatewayV2::Integration
                Properties:
                  ApiId: !Ref Api
                  IntegrationType: AWS_PROXY
                  IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${CaptureFunction.Arn}/invocations
              CaptureFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: io.herald.local.CapturingHandler::handleRequest
            """;

    private MiniTemplate() {}

    /** The base with {@code extraResources} (indented as resources) appended. */
    static String with(String extraResources) {
        return BASE + extraResources;
    }

    static LocalStack start(Path dir, String yaml) throws Exception {
        return start(dir, yaml, LocalOptions.defaults());
    }

    static LocalStack start(Path dir, String yaml, LocalOptions options) throws Exception {
        Path t = Files.createTempFile(dir, "template", ".yaml");
        Files.writeString(t, yaml);
        return new LocalStack(options.withPort(0).withTemplate(t)).start();
    }

    /** The message of the start's refusal. */
    static String refusal(Path dir, String yaml) throws Exception {
        Path t = Files.createTempFile(dir, "template", ".yaml");
        Files.writeString(t, yaml);
        LocalStack s = new LocalStack(LocalOptions.defaults().withPort(0).withTemplate(t));
        try {
            s.start();
            throw new AssertionError("the stack started");
        } catch (IllegalStateException e) {
            return e.getMessage();
        } finally {
            s.close();
        }
    }
}
