package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.ConnectResult;
import io.herald.core.service.Services;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * $connect on aws-lambda-java-events' typed classes, the runtime's serializer turning the event
 * JSON into them: the variant of {@link ConnectHandler} measured for issue 12, item 7.
 */
public final class TypedConnectHandler implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {
    private final Services herald;

    public TypedConnectHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.VERIFIED));
    }

    public TypedConnectHandler(Services herald) {
        this.herald = herald;
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        APIGatewayV2WebSocketEvent.RequestContext ctx = event.getRequestContext();
        APIGatewayV2WebSocketEvent.RequestIdentity identity = ctx == null ? null : ctx.getIdentity();
        ConnectResult r = herald.connect.connect(new ConnectRequest(ctx == null ? null : ctx.getConnectionId(),
                orEmpty(event.getQueryStringParameters()), lowerCased(event.getHeaders()),
                identity == null ? null : identity.getSourceIp(), identity == null ? null : identity.getUserAgent()),
                herald.clock.instant());
        APIGatewayV2WebSocketResponse out = new APIGatewayV2WebSocketResponse();
        out.setStatusCode(r.status());
        if (r.subprotocol() != null) out.setHeaders(Map.of("Sec-WebSocket-Protocol", r.subprotocol()));
        if (!r.ok()) out.setBody(r.reason());
        return out;
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    /** As {@link WebSocketEvent#headers()}: HTTP header names are case-insensitive and clients vary. */
    private static Map<String, String> lowerCased(Map<String, String> headers) {
        Map<String, String> out = new HashMap<>();
        if (headers != null) headers.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
        return out;
    }
}
