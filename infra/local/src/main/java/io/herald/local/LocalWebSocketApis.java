package io.herald.local;

import io.herald.local.gateway.ManagementApi;
import io.herald.local.gateway.MockIntegration;
import io.herald.local.gateway.RequestAuthorizer;
import io.herald.local.gateway.WebSocketGateway;
import io.herald.local.lambda.LocalFunction;
import io.herald.local.metrics.LocalMetrics;
import io.herald.local.template.RouteAuthorization;
import io.herald.local.template.SamTemplate;
import io.herald.local.template.WebSocketApis;
import io.herald.local.template.WebSocketStage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * Every WebSocket API of the template, each a gateway of its own with its routes, stage,
 * authorizer and Management API: at {@code /{ApiLogicalId}/{stage}}, and the first API also at
 * the default {@code /{stage}} (the local stack's contract).
 */
final class LocalWebSocketApis {
    /** One API as served: its gateway, the paths it answers at and their Management APIs. */
    record Served(String logicalId, String stage, WebSocketGateway gateway, List<String> paths, List<ManagementApi> management) {}

    private final List<Served> apis = new ArrayList<>();

    /**
     * @param functions the template's functions by logical id
     * @throws IllegalStateException what the template asks that the local stack cannot honour
     */
    LocalWebSocketApis(SamTemplate template, List<WebSocketApis.Api> declared, LocalOptions options,
            Function<String, LocalFunction> functions, LocalMetrics metrics) {
        for (int i = 0; i < declared.size(); i++) {
            WebSocketApis.Api api = declared.get(i);
            boolean first = i == 0;
            String stage = stage(api, options);
            Map<String, LocalFunction> routes = new LinkedHashMap<>();
            api.functionRoutes().forEach((key, fn) -> routes.put(key, functions.apply(fn)));
            // the default API keeps the id its events always carried; the others are told apart by their logical ids
            WebSocketGateway g = new WebSocketGateway(routes, api.selectionExpression(), first ? options.stage() : stage, "localhost",
                    options.limits(), first ? "local" : api.logicalId());
            Map<String, MockIntegration> mocks = new LinkedHashMap<>();
            api.routes().forEach((key, r) -> {
                if (r.mock() != null) mocks.put(key, r.mock());
            });
            Set<String> twoWay = api.routes().values().stream().filter(WebSocketApis.Route::routeResponse)
                    .map(WebSocketApis.Route::routeKey).collect(Collectors.toSet());
            g.integrations(mocks, twoWay);
            g.stageVariables(WebSocketStage.variables(template, api.logicalId()));
            g.throttles(WebSocketStage.throttles(template, api.logicalId(), api.routes().keySet()));
            RouteAuthorization.connectAuthorizer(template, api.logicalId()).ifPresent(a -> g.authorizer(
                    new RequestAuthorizer(a.logicalId(), functions.apply(a.function()), a.identitySources())));
            g.metrics(metrics.api(api.logicalId()));
            List<String> paths = new ArrayList<>();
            if (first) paths.add("/" + options.stage());
            paths.add("/" + api.logicalId() + "/" + stage);
            List<ManagementApi> management = paths.stream().map(p -> new ManagementApi(g, p.substring(1))).toList();
            apis.add(new Served(api.logicalId(), stage, g, paths, management));
        }
    }

    /** The API's stage: its AWS::ApiGatewayV2::Stage's name, else --stage. */
    static String stage(WebSocketApis.Api api, LocalOptions options) {
        return api.stageName() != null ? api.stageName() : options.stage();
    }

    /** The API served at the default path. */
    WebSocketGateway defaultGateway() {
        return apis.get(0).gateway();
    }

    Optional<Served> api(String logicalId) {
        return apis.stream().filter(a -> a.logicalId().equals(logicalId)).findFirst();
    }

    List<Served> all() {
        return List.copyOf(apis);
    }

    void configure(ServerWebSocketContainer container) {
        for (Served a : apis) a.paths().forEach(p -> a.gateway().configure(container, p));
    }

    /** The Management API answering this request, if any. */
    Optional<ManagementApi> management(Request request) {
        return apis.stream().flatMap(a -> a.management().stream()).filter(m -> m.handles(request)).findFirst();
    }

    /** Failures every API's PostToConnection answers instead of delivering (tests, benchmarks). */
    void faults(ManagementApi.Faults faults) {
        apis.forEach(a -> a.management().forEach(m -> m.faults(faults)));
    }

    void shutdown() {
        apis.forEach(a -> a.gateway().shutdown());
    }
}
