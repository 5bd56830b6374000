package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.core.service.Services;
import java.util.Map;

/** $disconnect: best-effort on AWS, so it only tidies; TTLs and 410s cover the misses. */
public final class DisconnectHandler extends JsonStreamHandler {
    public DisconnectHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.UNUSED));
    }

    public DisconnectHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.UNUSED));
    }

    public DisconnectHandler(Services herald) {
        super(herald);
    }

    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        herald.lifecycle.disconnected(new WebSocketEvent(event).connectionId(), herald.clock.instant());
        return Json.object().put("statusCode", 200);
    }
}
