package io.herald.local.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import io.herald.local.vtl.MappingTemplate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A MOCK integration as API Gateway runs it for a WebSocket message: the request template chosen
 * by the integration's template selection expression renders {@code {"statusCode": N}}; the
 * integration response whose key matches N (a {@code /regex/} or the exact code, else
 * {@code $default}) renders the answer with its response template.
 */
public final class MockIntegration {
    /** One AWS::ApiGatewayV2::IntegrationResponse. */
    public record Response(String key, String templateSelection, Map<String, MappingTemplate> templates) {}

    private final String templateSelection;
    private final Map<String, MappingTemplate> requestTemplates;
    private final List<Response> responses;

    public MockIntegration(String templateSelection, Map<String, MappingTemplate> requestTemplates, List<Response> responses) {
        this.templateSelection = templateSelection;
        this.requestTemplates = Map.copyOf(requestTemplates);
        this.responses = List.copyOf(responses);
    }

    /** What the integration answers: empty when no integration response matches or its template is empty. */
    Optional<String> answer(Map<String, Object> context, Map<String, String> stageVariables, String body) {
        MappingTemplate request = pick(requestTemplates, selectionKey(templateSelection, body, null));
        if (request == null) throw new IllegalStateException("no request template: statusCode should be an integer defined in it");
        JsonNode rendered;
        try {
            rendered = Json.parse(request.render(context, stageVariables, body));
        } catch (Json.MalformedJsonException e) {
            throw new IllegalStateException("the request template did not render JSON with a statusCode");
        }
        if (!rendered.path("statusCode").canConvertToInt()) {
            throw new IllegalStateException("statusCode should be an integer which defined in request template");
        }
        String status = String.valueOf(rendered.path("statusCode").asInt());
        Response r = responses.stream().filter(x -> matches(x.key(), status)).findFirst()
                .or(() -> responses.stream().filter(x -> x.key().equals("$default")).findFirst()).orElse(null);
        if (r == null) return Optional.empty();
        MappingTemplate t = pick(r.templates(), selectionKey(r.templateSelection(), body, status));
        return t == null ? Optional.empty() : Optional.of(t.render(context, stageVariables, body));
    }

    private static boolean matches(String key, String status) {
        if (key.length() > 2 && key.startsWith("/") && key.endsWith("/")) {
            return Pattern.compile(key.substring(1, key.length() - 1)).matcher(status).matches();
        }
        return key.equals(status);
    }

    private static MappingTemplate pick(Map<String, MappingTemplate> templates, String key) {
        MappingTemplate t = templates.get(key);
        return t != null ? t : templates.get("$default");
    }

    /**
     * A template selection expression's key: {@code \$default} (or none) is $default; {@code
     * ${request.body.x}} the message's field; {@code ${integration.response.statuscode}} the code;
     * anything else is a static key.
     */
    static String selectionKey(String expression, String body, String status) {
        if (expression == null || expression.equals("\\$default") || expression.equals("$default")) return "$default";
        String e = expression.startsWith("${") && expression.endsWith("}") ? "$" + expression.substring(2, expression.length() - 1) : expression;
        if (e.equals("$integration.response.statuscode")) return status == null ? "$default" : status;
        if (e.startsWith("$request.body.")) {
            try {
                JsonNode n = Json.parse(body);
                for (String p : e.substring("$request.body.".length()).split("\\.")) n = n.path(p);
                return n.isValueNode() ? n.asText() : "$default";
            } catch (Json.MalformedJsonException x) {
                return "$default";
            }
        }
        return expression;
    }

    /** The selection expressions this class evaluates; others are refused at start. */
    public static boolean supportedSelection(String expression, boolean response) {
        if (expression == null) return true;
        String e = expression.startsWith("${") && expression.endsWith("}") ? "$" + expression.substring(2, expression.length() - 1) : expression;
        if (e.startsWith("$request.body.")) return true;
        if (response && e.equals("$integration.response.statuscode")) return true;
        return !expression.contains("$") || expression.equals("\\$default");
    }
}
