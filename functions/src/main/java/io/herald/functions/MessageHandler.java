package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import java.util.Map;

/** $default (and any named route): one client frame; replies go back through the Management API. */
public final class MessageHandler extends JsonStreamHandler {
    public MessageHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.VERIFIED));
    }

    public MessageHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.VERIFIED));
    }

    public MessageHandler(Services herald) {
        super(herald);
    }

    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        WebSocketEvent e = new WebSocketEvent(event);
        herald.sessions.onMessage(e.connectionId(), e.body(), herald.clock.instant());
        return Json.object().put("statusCode", 200);
    }
}
