package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.auth.Identity;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.IssuerUnavailableException;
import io.herald.core.chat.ChatException;
import io.herald.core.chat.ChatService;
import io.herald.core.json.Json;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.service.FanOutIncompleteException;
import io.herald.core.service.PublicationInProgressException;
import io.herald.core.store.StatsStore;
import java.util.Locale;
import io.herald.core.service.Services;
import java.util.Map;

/** The HTTP API (payload format 2.0): POST /publish, GET /stats, GET /health. */
public final class HttpApiHandler extends JsonStreamHandler {
    public HttpApiHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.VERIFIED));
    }

    public HttpApiHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.VERIFIED));
    }

    public HttpApiHandler(Services herald) {
        super(herald);
    }

    @Override
    protected JsonNode handle(JsonNode event, Context context) {
        String method = event.path("requestContext").path("http").path("method").asText("");
        String path = event.path("requestContext").path("http").path("path").asText(event.path("rawPath").asText(""));
        String route = method.toUpperCase(Locale.ROOT) + " " + path;
        String routeKey = Json.text(event, "routeKey");
        if (routeKey != null && routeKey.contains("/conversations/")) return conversations(routeKey, event);
        switch (route) {
            case "POST /publish":
                return publish(event);
            case "GET /stats":
                return response(200, stats());
            case "GET /health":
                return response(200, Json.object().put("status", "healthy").put("service", "herald")
                        .put("ws_connections", herald.registry.stats().read().getOrDefault(StatsStore.CONNECTIONS, 0L)));
            default:
                return error(404, "No route for " + route);
        }
    }

    private JsonNode publish(JsonNode event) {
        String token = bearer(event);
        if (token == null) return error(401, "Authorization: Bearer <jwt> with scope " + Identity.PUBLISH_SCOPE + " is required");
        Identity id;
        try {
            id = herald.verifier.verify(token);
        } catch (InvalidTokenException e) {
            return error(401, e.getMessage());
        } catch (IssuerUnavailableException e) {
            return error(503, e.getMessage());
        }
        if (!id.canPublish()) return error(403, "token lacks scope " + Identity.PUBLISH_SCOPE);
        String body = body(event);
        try {
            if (body == null || body.isBlank()) throw new InvalidPublicationException("request body is empty");
            JsonNode doc;
            try {
                doc = Json.parse(body);
            } catch (Json.MalformedJsonException e) {
                return error(400, "invalid JSON body: " + e.getMessage());
            }
            return response(200, herald.publisher.publishFromBackend(herald.codec.read(doc), herald.clock.instant()).toJson());
        } catch (InvalidPublicationException e) {
            return error(e.isTooLarge() ? 413 : 400, e.getMessage());
        } catch (PublicationInProgressException e) {
            return error(409, e.getMessage());
        } catch (FanOutIncompleteException e) {
            // not recorded as done: the publisher retries with the same id and nobody loses it
            return response(503, e.result().toJson().put("message", e.getMessage()));
        }
    }

    /**
     * The chat's conversations: PUT/GET/DELETE /conversations/{id} for backends (scope
     * herald:publish), GET /conversations/{id}/messages for members with their own token.
     */
    private JsonNode conversations(String routeKey, JsonNode event) {
        if (herald.chat == null) return error(404, "chat is not configured");
        String id = event.path("pathParameters").path("id").asText("");
        Identity caller;
        try {
            caller = herald.verifier.verify(bearer(event));
        } catch (InvalidTokenException e) {
            return error(401, e.getMessage());
        } catch (IssuerUnavailableException e) {
            return error(503, e.getMessage());
        }
        try {
            if (routeKey.equals("GET /conversations/{id}/messages")) {
                JsonNode q = event.path("queryStringParameters");
                return response(200, herald.chat.history(id, caller.userId(), Json.text(q, "before"), Json.text(q, "limit"),
                        herald.context, herald.clock.instant()));
            }
            if (!caller.canPublish()) return error(403, "token lacks scope " + Identity.PUBLISH_SCOPE);
            switch (routeKey) {
                case "PUT /conversations/{id}": {
                    JsonNode body;
                    try {
                        body = Json.parse(body(event) == null ? "" : body(event));
                    } catch (Json.MalformedJsonException e) {
                        return error(400, "invalid JSON body: " + e.getMessage());
                    }
                    return response(200, ChatService.toJson(herald.chat.upsert(id, body.get("members"), herald.context,
                            herald.clock.instant())));
                }
                case "GET /conversations/{id}":
                    return herald.chat.conversation(id).<JsonNode>map(k -> response(200, ChatService.toJson(k)))
                            .orElseGet(() -> error(404, "Conversation not found"));
                case "DELETE /conversations/{id}":
                    return herald.chat.delete(id, herald.context, herald.clock.instant()) ? response(200, Json.object().put("deleted", id))
                            : error(404, "Conversation not found");
                default:
                    return error(404, "No route for " + routeKey);
            }
        } catch (ChatException e) {
            int status = switch (e.code()) {
                case ChatException.NOT_FOUND -> 404;
                case ChatException.FORBIDDEN -> 403;
                default -> 400;
            };
            ObjectNode body = Json.object().put("message", e.getMessage()).put("code", e.code());
            if (e.field() != null) body.putObject("details").put("field", e.field()).put("error", e.issue());
            return response(status, body);
        }
    }

    /** The token of an {@code Authorization: Bearer} header, or null. */
    private static String bearer(JsonNode event) {
        for (var it = event.path("headers").fields(); it.hasNext(); ) {
            var h = it.next();
            String v = h.getValue().asText();
            if (h.getKey().equalsIgnoreCase("authorization") && v.regionMatches(true, 0, "Bearer ", 0, 7)) return v.substring(7).trim();
        }
        return null;
    }

    private ObjectNode stats() {
        ObjectNode out = Json.object();
        herald.registry.stats().read().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static JsonNode error(int status, String message) {
        return response(status, Json.object().put("message", message));
    }

    private static JsonNode response(int status, JsonNode body) {
        ObjectNode out = Json.object().put("statusCode", status);
        out.putObject("headers").put("content-type", "application/json");
        out.put("body", Json.write(body));
        return out;
    }
}
