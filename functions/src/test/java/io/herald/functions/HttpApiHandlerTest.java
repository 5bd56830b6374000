package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.service.HeraldConfig;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API (payload format 2.0): every answer a client mistake can get is a 4xx with a message, never a 500. */
class HttpApiHandlerTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    static RecordingManagementApi api;
    static HttpApiHandler handler;

    @BeforeAll
    static void setUp() throws Exception {
        api = new RecordingManagementApi();
        handler = new HttpApiHandler(Lambda.env(ddb, ddb.createTables(), api));
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    static ObjectNode request(String method, String path, String authorization, String body) {
        ObjectNode e = Json.object().put("version", "2.0").put("rawPath", path);
        e.putObject("requestContext").putObject("http").put("method", method).put("path", path);
        ObjectNode h = e.putObject("headers").put("content-type", "application/json");
        if (authorization != null) h.put("authorization", authorization);
        if (body != null) e.put("body", body).put("isBase64Encoded", false);
        return e;
    }

    static JsonNode call(ObjectNode request) {
        JsonNode r = Lambda.invoke(handler, Json.write(request));
        assertEquals("application/json", r.get("headers").get("content-type").asText());
        return r;
    }

    static int status(ObjectNode request) {
        return call(request).get("statusCode").asInt();
    }

    static String message(ObjectNode request) {
        return Json.parse(call(request).get("body").asText()).path("message").asText();
    }

    static final String EVENT = "{\"type\":\"t\",\"topics\":[\"orders.eu\"],\"data\":{\"n\":1}}";

    @Test
    void publish_should_need_a_bearer_token_with_the_publish_scope() {
        assertEquals(401, status(request("POST", "/publish", null, EVENT)));
        assertEquals(401, status(request("POST", "/publish", "Basic dTpw", EVENT)));
        assertEquals(401, status(request("POST", "/publish", "Bearer not-a-jwt", EVENT)));
        assertEquals(403, status(request("POST", "/publish", "Bearer " + Tokens.forUser("u1"), EVENT)));
        assertEquals(200, status(request("POST", "/publish", "Bearer " + Tokens.publisher(), EVENT)));
    }

    @Test
    void the_authorization_header_should_be_found_in_any_case() {
        ObjectNode r = request("POST", "/publish", null, EVENT);
        ((ObjectNode) r.get("headers")).put("Authorization", "bearer " + Tokens.publisher());
        assertEquals(200, status(r));
    }

    @Test
    void bad_bodies_should_be_400_and_oversized_data_413() {
        String bearer = "Bearer " + Tokens.publisher();
        assertEquals(400, status(request("POST", "/publish", bearer, null)));
        assertEquals(400, status(request("POST", "/publish", bearer, "{oops")));
        assertTrue(message(request("POST", "/publish", bearer, "{oops")).startsWith("invalid JSON body"));
        assertEquals(400, status(request("POST", "/publish", bearer, "{\"topics\":[\"a.b\"],\"data\":{}}")), "no type");
        String big = "{\"type\":\"t\",\"topics\":[\"a.b\"],\"data\":{\"b\":\"" + "x".repeat(HeraldConfig.API_GATEWAY_MESSAGE_LIMIT) + "\"}}";
        assertEquals(413, status(request("POST", "/publish", bearer, big)));
    }

    @Test
    void a_base64_encoded_body_should_be_decoded() {
        ObjectNode r = request("POST", "/publish", "Bearer " + Tokens.publisher(), null);
        r.put("body", Base64.getEncoder().encodeToString(EVENT.getBytes(StandardCharsets.UTF_8))).put("isBase64Encoded", true);
        JsonNode out = call(r);
        assertEquals(200, out.get("statusCode").asInt(), out.toString());
        assertTrue(Json.parse(out.get("body").asText()).has("delivered"));
    }

    @Test
    void health_and_stats_should_answer_and_unknown_routes_404() {
        JsonNode health = Json.parse(call(request("GET", "/health", null, null)).get("body").asText());
        assertEquals("healthy", health.get("status").asText());
        assertTrue(health.has("ws_connections"));
        assertEquals(200, status(request("GET", "/stats", null, null)));
        assertEquals(404, status(request("GET", "/nowhere", null, null)));
        assertEquals("No route for DELETE /publish", message(request("DELETE", "/publish", null, null)));
    }
}
