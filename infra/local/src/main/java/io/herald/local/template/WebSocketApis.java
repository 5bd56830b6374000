package io.herald.local.template;

import static io.herald.local.template.Refusals.refused;

import io.herald.local.gateway.MockIntegration;
import io.herald.local.vtl.MappingTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The template's WebSocket APIs, each with its own routes (by the route's ApiId), route selection
 * expression and stage name; each route's integration (AWS_PROXY to a function of the template, or
 * MOCK with its mapping templates) and whether a route response sends the result back (two-way).
 * What the local stack cannot honour is refused with the resource and property named.
 */
public final class WebSocketApis {
    public record Api(String logicalId, String selectionExpression, String stageName, Map<String, Route> routes) {
        /** Route key to the function its AWS_PROXY integration invokes. */
        public Map<String, String> functionRoutes() {
            Map<String, String> out = new LinkedHashMap<>();
            routes.forEach((k, r) -> {
                if (r.function() != null) out.put(k, r.function());
            });
            return out;
        }
    }

    /** One route: {@code function} for AWS_PROXY, {@code mock} for MOCK; {@code routeResponse} when two-way. */
    public record Route(String logicalId, String routeKey, String function, MockIntegration mock, boolean routeResponse) {}

    private static final String API = "AWS::ApiGatewayV2::Api";
    private static final String ROUTE = "AWS::ApiGatewayV2::Route";
    private static final String INTEGRATION = "AWS::ApiGatewayV2::Integration";
    private static final String ROUTE_RESPONSE = "AWS::ApiGatewayV2::RouteResponse";
    private static final String INTEGRATION_RESPONSE = "AWS::ApiGatewayV2::IntegrationResponse";
    /** CredentialsArn is the role API Gateway invokes with; Description documents: no behaviour locally. */
    private static final Set<String> INTEGRATION_PROPERTIES = Set.of("ApiId", "IntegrationType", "IntegrationUri",
            "IntegrationMethod", "CredentialsArn", "Description", "RequestTemplates", "TemplateSelectionExpression",
            "IntegrationResponseSelectionExpression");
    private static final Set<String> MOCK_ONLY = Set.of("RequestTemplates", "TemplateSelectionExpression",
            "IntegrationResponseSelectionExpression");
    private static final Set<String> INTEGRATION_RESPONSE_PROPERTIES = Set.of("ApiId", "IntegrationId",
            "IntegrationResponseKey", "ResponseTemplates", "TemplateSelectionExpression");
    private static final Set<String> ROUTE_RESPONSE_PROPERTIES = Set.of("ApiId", "RouteId", "RouteResponseKey");

    private WebSocketApis() {}

    /**
     * The WebSocket APIs in template order; the first is the one served at the default path.
     *
     * @throws IllegalStateException naming the resource and property the local stack cannot honour
     */
    public static List<Api> of(SamTemplate t) {
        Map<String, Map<String, Route>> routesByApi = new LinkedHashMap<>();
        Map<String, Map<String, Object>> apis = new LinkedHashMap<>();
        t.ofType(API).forEach((id, r) -> {
            if ("WEBSOCKET".equals(String.valueOf(t.resolve(SamTemplate.props(r).get("ProtocolType"))))) {
                apis.put(id, r);
                routesByApi.put(id, new LinkedHashMap<>());
            }
        });
        if (apis.isEmpty()) throw new IllegalStateException("template declares no WebSocket API (" + API + ", ProtocolType WEBSOCKET)");
        Map<String, String> routeResponses = routeResponses(t);
        Map<String, List<MockIntegration.Response>> integrationResponses = integrationResponses(t);
        t.ofType(ROUTE).forEach((id, r) -> {
            Map<String, Object> p = SamTemplate.props(r);
            String where = id + " (" + ROUTE + ")";
            String api = ref(p.get("ApiId"));
            if (api == null || !apis.containsKey(api)) throw new IllegalStateException(where + ": ApiId must be !Ref of a WebSocket API of this template");
            String key = String.valueOf(t.resolve(p.get("RouteKey")));
            boolean twoWay = twoWay(t, id, where, key, p, routeResponses.remove(id));
            Matcher m = Pattern.compile("integrations/\\$?\\{?(\\w+)").matcher(String.valueOf(raw(p.get("Target"))));
            if (!m.find()) throw new IllegalStateException(where + ": Target has no integrations/{Integration}");
            String integrationId = m.group(1);
            Map<String, Object> integration = t.ofType(INTEGRATION).get(integrationId);
            if (integration == null) throw new IllegalStateException(where + ": Target names missing integration " + integrationId);
            Route route = route(t, id, key, integrationId, SamTemplate.props(integration), twoWay, integrationResponses);
            if (routesByApi.get(api).put(key, route) != null) {
                throw new IllegalStateException(where + ": RouteKey " + key + " is declared twice on " + api);
            }
        });
        for (String orphan : routeResponses.keySet()) {
            throw new IllegalStateException(orphan + " (" + ROUTE_RESPONSE + "): RouteId is not !Ref of a route of this template");
        }
        List<Api> out = new ArrayList<>();
        apis.forEach((id, r) -> out.add(new Api(id, String.valueOf(t.resolve(SamTemplate.props(r).get("RouteSelectionExpression"))),
                stageName(t, id), routesByApi.get(id))));
        return out;
    }

    /** A RouteResponse per route logical id (its logical id); properties checked. */
    private static Map<String, String> routeResponses(SamTemplate t) {
        Map<String, String> out = new LinkedHashMap<>();
        t.ofType(ROUTE_RESPONSE).forEach((id, r) -> {
            String where = id + " (" + ROUTE_RESPONSE + ")";
            Map<String, Object> p = SamTemplate.props(r);
            for (String k : p.keySet()) {
                if (!ROUTE_RESPONSE_PROPERTIES.contains(k)) throw refused(where, k, "is not emulated by the local stack");
            }
            String key = String.valueOf(t.resolve(p.get("RouteResponseKey")));
            if (!key.equals("$default")) throw refused(where, "RouteResponseKey", key + ": API Gateway supports $default only");
            String route = ref(p.get("RouteId"));
            if (route == null) throw refused(where, "RouteId", "must be !Ref of an " + ROUTE);
            out.put(route, id);
        });
        return out;
    }

    private static Map<String, List<MockIntegration.Response>> integrationResponses(SamTemplate t) {
        Map<String, List<MockIntegration.Response>> out = new LinkedHashMap<>();
        t.ofType(INTEGRATION_RESPONSE).forEach((id, r) -> {
            String where = id + " (" + INTEGRATION_RESPONSE + ")";
            Map<String, Object> p = SamTemplate.props(r);
            for (String k : p.keySet()) {
                if (!INTEGRATION_RESPONSE_PROPERTIES.contains(k)) throw refused(where, k, "is not emulated by the local stack");
            }
            String integration = ref(p.get("IntegrationId"));
            if (integration == null) throw refused(where, "IntegrationId", "must be !Ref of an " + INTEGRATION);
            String selection = text(t, p.get("TemplateSelectionExpression"));
            if (!MockIntegration.supportedSelection(selection, true)) {
                throw refused(where, "TemplateSelectionExpression", selection + " is not emulated (\\$default, static keys, "
                        + "${request.body.*} and ${integration.response.statuscode} are)");
            }
            String key = String.valueOf(t.resolve(p.get("IntegrationResponseKey")));
            out.computeIfAbsent(integration, k -> new ArrayList<>()).add(new MockIntegration.Response(key, selection,
                    templates(t, where + ": ResponseTemplates", p.get("ResponseTemplates"))));
        });
        return out;
    }

    private static boolean twoWay(SamTemplate t, String id, String where, String key, Map<String, Object> p, String routeResponse) {
        String selection = text(t, p.get("RouteResponseSelectionExpression"));
        if (selection == null && routeResponse == null) return false;
        if (selection == null) {
            throw new IllegalStateException(routeResponse + " (" + ROUTE_RESPONSE + "): route " + id
                    + " has no RouteResponseSelectionExpression ($default), so API Gateway would send nothing back");
        }
        if (!selection.equals("$default")) throw refused(where, "RouteResponseSelectionExpression", selection + ": API Gateway supports $default only");
        if (key.equals("$connect") || key.equals("$disconnect")) {
            throw refused(where, "RouteResponseSelectionExpression", "on " + key + " is not emulated by the local stack");
        }
        if (routeResponse == null) {
            throw refused(where, "RouteResponseSelectionExpression", "needs an " + ROUTE_RESPONSE + " with RouteResponseKey $default");
        }
        return true;
    }

    private static Route route(SamTemplate t, String id, String key, String integrationId, Map<String, Object> p, boolean twoWay,
            Map<String, List<MockIntegration.Response>> integrationResponses) {
        String where = integrationId + " (" + INTEGRATION + ")";
        for (String k : p.keySet()) {
            if (!INTEGRATION_PROPERTIES.contains(k)) throw refused(where, k, "is not emulated by the local stack");
        }
        String type = String.valueOf(t.resolve(p.get("IntegrationType")));
        List<MockIntegration.Response> responses = integrationResponses.getOrDefault(integrationId, List.of());
        switch (type) {
            case "AWS_PROXY" -> {
                for (String k : MOCK_ONLY) {
                    if (p.containsKey(k)) throw refused(where, k, "does not apply to AWS_PROXY integrations (proxy events are not mapped)");
                }
                if (!responses.isEmpty()) {
                    throw new IllegalStateException(where + ": an " + INTEGRATION_RESPONSE + " on an AWS_PROXY integration is not emulated "
                            + "(the function's body is the answer)");
                }
                Matcher f = Pattern.compile("functions/\\$\\{(\\w+)").matcher(String.valueOf(raw(p.get("IntegrationUri"))));
                if (!f.find()) throw refused(where, "IntegrationUri", "does not invoke a function of this template");
                return new Route(id, key, f.group(1), null, twoWay);
            }
            case "MOCK" -> {
                if (key.equals("$connect") || key.equals("$disconnect")) {
                    throw refused(where, "IntegrationType", "MOCK on " + key + " is not emulated by the local stack");
                }
                String selection = text(t, p.get("TemplateSelectionExpression"));
                if (!MockIntegration.supportedSelection(selection, false)) {
                    throw refused(where, "TemplateSelectionExpression", selection + " is not emulated (\\$default, static keys and ${request.body.*} are)");
                }
                String responseSelection = text(t, p.get("IntegrationResponseSelectionExpression"));
                if (responseSelection != null && !responseSelection.equals("${integration.response.statuscode}")
                        && !responseSelection.equals("$integration.response.statuscode")) {
                    throw refused(where, "IntegrationResponseSelectionExpression", responseSelection
                            + " is not emulated (a MOCK answers a status code: ${integration.response.statuscode})");
                }
                Map<String, MappingTemplate> requests = templates(t, where + ": RequestTemplates", p.get("RequestTemplates"));
                if (requests.isEmpty()) throw refused(where, "RequestTemplates", "is required: a MOCK's status code comes from it");
                if (twoWay && responses.isEmpty()) {
                    throw new IllegalStateException(where + ": route " + id + " is two-way but this MOCK has no " + INTEGRATION_RESPONSE);
                }
                return new Route(id, key, null, new MockIntegration(selection, requests, responses), twoWay);
            }
            default -> throw refused(where, "IntegrationType", type + " is not emulated by the local stack (AWS_PROXY and MOCK are)");
        }
    }

    private static Map<String, MappingTemplate> templates(SamTemplate t, String where, Object value) {
        Map<String, MappingTemplate> out = new LinkedHashMap<>();
        SamTemplate.map(value).forEach((k, v) -> out.put(k, MappingTemplate.compile(where + "." + k, String.valueOf(t.resolve(v)))));
        return out;
    }

    /** The API's stage name (its AWS::ApiGatewayV2::Stage), or null without one. */
    private static String stageName(SamTemplate t, String apiId) {
        for (Map<String, Object> s : t.ofType("AWS::ApiGatewayV2::Stage").values()) {
            Map<String, Object> p = SamTemplate.props(s);
            if (apiId.equals(ref(p.get("ApiId")))) return String.valueOf(t.resolve(p.get("StageName")));
        }
        return null;
    }

    static String ref(Object v) {
        Object r = SamTemplate.map(v).get("Ref");
        return r == null ? null : String.valueOf(r);
    }

    private static Object raw(Object v) {
        Map<String, Object> m = SamTemplate.map(v);
        if (m.containsKey("Fn::Sub")) {
            Object s = m.get("Fn::Sub");
            return s instanceof List<?> l ? l.get(0) : s;
        }
        return v;
    }

    private static String text(SamTemplate t, Object v) {
        return v == null ? null : String.valueOf(t.resolve(v));
    }
}
