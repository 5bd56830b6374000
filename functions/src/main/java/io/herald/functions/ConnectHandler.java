package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.ConnectResult;
import io.herald.core.service.Services;
import java.util.Map;

/** $connect: the returned statusCode becomes the handshake's HTTP status. */
public final class ConnectHandler extends JsonStreamHandler {
    public ConnectHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.VERIFIED));
    }

    public ConnectHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.VERIFIED));
    }

    public ConnectHandler(Services herald) {
        super(herald);
    }

    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        WebSocketEvent e = new WebSocketEvent(event);
        ConnectResult r = herald.connect.connect(
                new ConnectRequest(e.connectionId(), e.query(), e.headers(), e.sourceIp(), e.userAgent()),
                herald.clock.instant());
        ObjectNode out = Json.object().put("statusCode", r.status());
        if (r.subprotocol() != null) out.putObject("headers").put("Sec-WebSocket-Protocol", r.subprotocol());
        if (!r.ok()) out.put("body", r.reason());
        return out;
    }
}
