package io.herald.local.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the local stack needs from template.yaml: functions and their environment, the WebSocket
 * API's routes and route selection expression, tables, and event sources. Intrinsics are resolved
 * with local values (parameters take their defaults unless overridden; tables are named after
 * their logical ids; ${AWS::Region} is us-east-1).
 */
public final class SamTemplate {
    public record Function(String logicalId, String handlerClass, Map<String, String> environment) {}

    public record Table(String name, Map<String, Object> properties) {}

    public record EventBridgeRule(String function, String eventBus, Map<String, Object> pattern) {}

    public record HttpRoute(String method, String path, String function) {}

    /**
     * A DynamoDB stream event source: BatchSize (Lambda's default 100) and MaximumRetryAttempts
     * (its default -1: a failed batch is retried until its records expire).
     *
     * @param fromLatest StartingPosition LATEST (else TRIM_HORIZON)
     * @param bisect BisectBatchOnFunctionError
     * @param reportBatchItemFailures FunctionResponseTypes: [ReportBatchItemFailures]
     * @param onFailureQueue the logical id of the SQS queue DestinationConfig's OnFailure names, or null
     */
    public record StreamSource(String function, String table, List<String> filterPatterns, int batchSize, int maximumRetryAttempts,
            boolean fromLatest, boolean bisect, boolean reportBatchItemFailures, String onFailureQueue) {}

    private final Map<String, Object> root;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, Boolean> conditions = new LinkedHashMap<>();
    private final Map<String, Object> resources;
    /** Where the local stack serves SQS: a queue's Ref is its URL there. */
    private String queueEndpoint = "http://localhost";

    @SuppressWarnings("unchecked")
    private SamTemplate(Map<String, Object> root, Map<String, String> overrides) {
        this.root = root;
        this.resources = (Map<String, Object>) root.getOrDefault("Resources", Map.of());
        Map<String, Object> params = (Map<String, Object>) root.getOrDefault("Parameters", Map.of());
        params.forEach((name, def) -> {
            Object d = ((Map<String, Object>) def).get("Default");
            parameters.put(name, d == null ? "" : String.valueOf(d));
        });
        overrides.forEach((k, v) -> {
            if (!parameters.containsKey(k)) throw new IllegalArgumentException("template has no parameter " + k);
            checkValue(k, (Map<String, Object>) params.get(k), v);
            parameters.put(k, v);
        });
        Map<String, Object> conds = (Map<String, Object>) root.getOrDefault("Conditions", Map.of());
        conds.forEach((name, expr) -> conditions.put(name, truth(expr)));
    }

    /** CloudFormation's checks of a given parameter value: AllowedValues, and a Number's type and bounds. */
    private static void checkValue(String name, Map<String, Object> def, String value) {
        Object allowed = def.get("AllowedValues");
        if (allowed instanceof List<?> values && values.stream().map(String::valueOf).noneMatch(value::equals)) {
            throw new IllegalArgumentException("Parameter '" + name + "' must be one of AllowedValues " + values + ", not '" + value + "'");
        }
        if (!"Number".equals(def.get("Type"))) return;
        double n;
        try {
            n = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Parameter '" + name + "' must be a number, not '" + value + "'");
        }
        Object min = def.get("MinValue"), max = def.get("MaxValue");
        if (min != null && n < Double.parseDouble(String.valueOf(min))) {
            throw new IllegalArgumentException("Parameter '" + name + "' must be a number not less than " + min + ", not " + value);
        }
        if (max != null && n > Double.parseDouble(String.valueOf(max))) {
            throw new IllegalArgumentException("Parameter '" + name + "' must be a number not greater than " + max + ", not " + value);
        }
    }

    public static SamTemplate load(Path file, Map<String, String> parameterOverrides) throws IOException {
        return parse(Files.readString(file), parameterOverrides);
    }

    public static SamTemplate parse(String yaml, Map<String, String> parameterOverrides) {
        return new SamTemplate(CfnYaml.load(yaml), parameterOverrides);
    }

    /** The parsed document, intrinsics in their long form; for checks of the template itself. */
    public Map<String, Object> raw() {
        return root;
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    // ------------------------------------------------------------------ resources by type

    /** Sets the endpoint queue URLs (a queue's Ref, its QueueUrl attribute) are built on. */
    public SamTemplate queueEndpoint(String endpoint) {
        this.queueEndpoint = endpoint;
        return this;
    }

    /** The resources of one type (those whose condition holds), logical id to resource. */
    public Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        resources.forEach((id, r) -> {
            Map<String, Object> res = map(r);
            if (type.equals(res.get("Type"))) {
                Object cond = res.get("Condition");
                if (cond == null || conditions.getOrDefault(String.valueOf(cond), false)) out.put(id, res);
            }
        });
        return out;
    }

    public static Map<String, Object> props(Map<String, Object> resource) {
        return map(resource.getOrDefault("Properties", Map.of()));
    }

    public List<Function> functions() {
        Map<String, Object> global = map(map(map(root.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of())));
        List<Function> out = new ArrayList<>();
        ofType("AWS::Serverless::Function").forEach((id, r) -> {
            Map<String, Object> p = props(r);
            Map<String, String> env = new LinkedHashMap<>();
            env.putAll(variables(global));
            env.putAll(variables(p));
            String handler = String.valueOf(p.get("Handler"));
            out.add(new Function(id, handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler, env));
        });
        return out;
    }

    private Map<String, String> variables(Map<String, Object> functionProps) {
        Map<String, Object> vars = map(map(functionProps.getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of()));
        Map<String, String> out = new LinkedHashMap<>();
        vars.forEach((k, v) -> out.put(k, String.valueOf(resolve(v))));
        return out;
    }

    /** The WebSocket API's route selection expression, e.g. {@code $request.body.action}. */
    public String routeSelectionExpression() {
        for (Map<String, Object> api : ofType("AWS::ApiGatewayV2::Api").values()) {
            Map<String, Object> p = props(api);
            if ("WEBSOCKET".equals(p.get("ProtocolType"))) return String.valueOf(p.get("RouteSelectionExpression"));
        }
        throw new IllegalStateException("template declares no WebSocket API (AWS::ApiGatewayV2::Api, ProtocolType WEBSOCKET)");
    }

    /** Route key to the logical id of the function its integration invokes. */
    public Map<String, String> routes() {
        Map<String, String> out = new LinkedHashMap<>();
        ofType("AWS::ApiGatewayV2::Route").forEach((id, r) -> {
            Map<String, Object> p = props(r);
            String target = String.valueOf(resolveReferences(p.get("Target")));
            Matcher m = Pattern.compile("integrations/(\\w+)").matcher(target);
            if (!m.find()) throw new IllegalStateException("route " + id + " has no integrations/{Integration} target");
            Map<String, Object> integration = map(resources.get(m.group(1)));
            if (integration.isEmpty()) throw new IllegalStateException("route " + id + " targets missing integration " + m.group(1));
            String uri = String.valueOf(resolveReferences(props(integration).get("IntegrationUri")));
            Matcher f = Pattern.compile("functions/(\\w+)").matcher(uri);
            if (!f.find()) throw new IllegalStateException("integration " + m.group(1) + " does not invoke a function of this template");
            out.put(String.valueOf(p.get("RouteKey")), f.group(1));
        });
        return out;
    }

    public List<Table> tables() {
        List<Table> out = new ArrayList<>();
        ofType("AWS::DynamoDB::Table").forEach((id, r) -> {
            Map<String, Object> p = props(r);
            Object name = p.get("TableName");
            out.add(new Table(name == null ? id : String.valueOf(resolve(name)), p));
        });
        return out;
    }

    public List<EventBridgeRule> eventBridgeRules() {
        List<EventBridgeRule> out = new ArrayList<>();
        events("EventBridgeRule").forEach(e -> {
            Object bus = e.properties.get("EventBusName");
            out.add(new EventBridgeRule(e.function, bus == null ? "default" : String.valueOf(resolve(bus)),
                    map(e.properties.get("Pattern"))));
        });
        return out;
    }

    public List<HttpRoute> httpRoutes() {
        List<HttpRoute> out = new ArrayList<>();
        events("HttpApi").forEach(e -> out.add(new HttpRoute(String.valueOf(e.properties.get("Method")).toUpperCase(),
                String.valueOf(e.properties.get("Path")), e.function)));
        return out;
    }

    /** What a DynamoDB event may say locally; anything else (ParallelizationFactor, MaximumRecordAgeInSeconds, ...) stops the start. */
    private static final Set<String> STREAM_EVENT_PROPERTIES = Set.of("Stream", "StartingPosition", "BatchSize",
            "MaximumBatchingWindowInSeconds", "MaximumRetryAttempts", "FilterCriteria", "BisectBatchOnFunctionError",
            "FunctionResponseTypes", "DestinationConfig");

    /** @throws IllegalStateException naming the function's event and the property the local stack cannot honour */
    public List<StreamSource> streamSources() {
        List<StreamSource> out = new ArrayList<>();
        events("DynamoDB").forEach(e -> {
            String where = e.function + " (its DynamoDB event)";
            for (String key : e.properties.keySet()) {
                if (!STREAM_EVENT_PROPERTIES.contains(key)) throw Refusals.refused(where, key, "is not emulated by the local stack");
            }
            Object start = e.properties.get("StartingPosition");
            boolean fromLatest = "LATEST".equals(String.valueOf(resolve(start)));
            if (!fromLatest && !"TRIM_HORIZON".equals(String.valueOf(resolve(start)))) {
                throw Refusals.refused(where, "StartingPosition", start == null ? "is required" : resolve(start) + " is not LATEST or TRIM_HORIZON");
            }
            Refusals.integer(this, where, "MaximumBatchingWindowInSeconds", e.properties.get("MaximumBatchingWindowInSeconds"), 0, 0, 300);
            String table = getAttTarget(e.properties.get("Stream"));
            Table streamed = tables().stream().filter(t -> t.name().equals(table)).findFirst()
                    .orElseThrow(() -> Refusals.refused(where, "Stream", "names " + table + ", which is not a table of this template"));
            if (map(streamed.properties().get("StreamSpecification")).get("StreamViewType") == null) {
                // CloudFormation has no StreamArn to give: the deploy fails, so the start does too
                throw Refusals.refused(where, "Stream", "names " + table + ", which has no StreamSpecification");
            }
            List<String> filters = new ArrayList<>();
            Object fc = map(e.properties.getOrDefault("FilterCriteria", Map.of())).get("Filters");
            if (fc instanceof List<?> l) l.forEach(f -> filters.add(String.valueOf(map(f).get("Pattern"))));
            out.add(new StreamSource(e.function, table, filters,
                    Refusals.integer(this, where, "BatchSize", e.properties.get("BatchSize"), 100, 1, 10_000),
                    Refusals.integer(this, where, "MaximumRetryAttempts", e.properties.get("MaximumRetryAttempts"), -1, -1, 10_000),
                    fromLatest, Refusals.bool(this, where, "BisectBatchOnFunctionError", e.properties.get("BisectBatchOnFunctionError"), false),
                    Refusals.reportsBatchItemFailures(this, where, e.properties.get("FunctionResponseTypes")),
                    onFailureQueue(where, e.properties.get("DestinationConfig"))));
        });
        return out;
    }

    /**
     * DestinationConfig's OnFailure of a stream mapping: an SQS queue of this template (SAM's
     * {@code Type: SQS}, or none), whose logical id is returned; null without one. An SNS topic or
     * an S3 bucket, or a queue of another stack, stops the start.
     */
    private String onFailureQueue(String where, Object config) {
        if (config == null) return null;
        Map<String, Object> onFailure = map(map(config).get("OnFailure"));
        for (String key : onFailure.keySet()) {
            if (!key.equals("Type") && !key.equals("Destination")) throw Refusals.refused(where, "DestinationConfig.OnFailure." + key, "is not a property");
        }
        Object type = onFailure.get("Type");
        if (type != null && !"SQS".equals(String.valueOf(resolve(type)))) {
            throw Refusals.refused(where, "DestinationConfig.OnFailure.Type", resolve(type) + " is not emulated by the local stack (SQS is)");
        }
        Object destination = onFailure.get("Destination");
        if (destination == null) throw Refusals.refused(where, "DestinationConfig.OnFailure.Destination", "is required");
        String queue;
        try {
            queue = getAttTarget(destination);
        } catch (IllegalStateException e) {
            throw Refusals.refused(where, "DestinationConfig.OnFailure.Destination", "must be !GetAtt Queue.Arn of a queue of this template");
        }
        if (!QUEUE.equals(map(resources.get(queue)).get("Type"))) {
            throw Refusals.refused(where, "DestinationConfig.OnFailure.Destination", "names " + queue + ", which is not an SQS queue of this template");
        }
        return queue;
    }

    /** One entry of a function's Events. */
    public record Event(String function, Map<String, Object> properties) {}

    public List<Event> events(String type) {
        List<Event> out = new ArrayList<>();
        ofType("AWS::Serverless::Function").forEach((id, r) -> {
            Map<String, Object> events = map(props(r).getOrDefault("Events", Map.of()));
            events.values().forEach(ev -> {
                Map<String, Object> e = map(ev);
                if (type.equals(e.get("Type"))) out.add(new Event(id, map(e.getOrDefault("Properties", Map.of()))));
            });
        });
        return out;
    }

    public String getAttTarget(Object getAtt) {
        Object v = map(getAtt).get("Fn::GetAtt");
        if (v instanceof List<?> l && !l.isEmpty()) return String.valueOf(l.get(0));
        throw new IllegalStateException("expected !GetAtt Resource.Attribute, got " + getAtt);
    }

    // ------------------------------------------------------------------ intrinsics

    /** Evaluates an intrinsic with local values. */
    public Object resolve(Object v) {
        if (!(v instanceof Map<?, ?> m) || m.size() != 1) return v;
        Map<String, Object> fn = map(v);
        if (fn.containsKey("Ref")) return ref(String.valueOf(fn.get("Ref")));
        if (fn.containsKey("Fn::Sub")) return sub(fn.get("Fn::Sub"));
        if (fn.containsKey("Fn::If")) {
            List<?> args = (List<?>) fn.get("Fn::If");
            return resolve(conditions.getOrDefault(String.valueOf(args.get(0)), false) ? args.get(1) : args.get(2));
        }
        if (fn.containsKey("Fn::GetAtt")) {
            List<?> a = (List<?>) fn.get("Fn::GetAtt");
            return getAtt(String.valueOf(a.get(0)), String.valueOf(a.get(1)));
        }
        if (fn.containsKey("Fn::Join")) {
            List<?> args = (List<?>) fn.get("Fn::Join");
            List<String> parts = new ArrayList<>();
            ((List<?>) args.get(1)).forEach(p -> parts.add(String.valueOf(resolve(p))));
            return String.join(String.valueOf(args.get(0)), parts);
        }
        return v;
    }

    /** Like {@link #resolve} but keeps ${Resource} names (routes and integrations refer to logical ids). */
    private Object resolveReferences(Object v) {
        Map<String, Object> fn = map(v);
        if (fn.containsKey("Fn::Sub")) return String.valueOf(fn.get("Fn::Sub")).replaceAll("\\$\\{(\\w+)(\\.\\w+)?}", "$1");
        if (fn.containsKey("Ref")) return fn.get("Ref");
        return v;
    }

    private String ref(String name) {
        if (parameters.containsKey(name)) return parameters.get(name);
        return switch (name) {
            case "AWS::Region" -> "us-east-1";
            case "AWS::AccountId" -> "000000000000";
            case "AWS::StackName" -> "herald-local";
            case "AWS::NoValue" -> "";
            default -> {
                Map<String, Object> r = map(resources.get(name));
                if ("AWS::DynamoDB::Table".equals(r.get("Type"))) {
                    Object tn = props(r).get("TableName");
                    yield tn == null ? name : String.valueOf(resolve(tn));
                }
                if ("AWS::Events::EventBus".equals(r.get("Type"))) yield String.valueOf(resolve(props(r).get("Name")));
                if (QUEUE.equals(r.get("Type"))) yield queueEndpoint + "/000000000000/" + queueName(name);
                yield name; // API ids and other physical ids: the logical id stands in locally
            }
        };
    }

    private static final String QUEUE = "AWS::SQS::Queue";

    /** A queue's name: its QueueName, else (unlike CloudFormation's generated names) its logical id. */
    public String queueName(String logicalId) {
        Object n = props(map(resources.get(logicalId))).get("QueueName");
        return n == null ? logicalId : String.valueOf(resolve(n));
    }

    /** Attributes with local values: a queue's Arn, QueueName and QueueUrl as SQS forms them; others a placeholder ARN. */
    private String getAtt(String resource, String attribute) {
        if (QUEUE.equals(map(resources.get(resource)).get("Type"))) {
            String name = queueName(resource);
            switch (attribute) {
                case "Arn" -> {
                    return "arn:aws:sqs:us-east-1:000000000000:" + name;
                }
                case "QueueName" -> {
                    return name;
                }
                case "QueueUrl" -> {
                    return ref(resource);
                }
                default -> { }
            }
        }
        return "arn:local:" + resource + ":" + attribute;
    }

    private String sub(Object arg) {
        String template = arg instanceof List<?> l ? String.valueOf(l.get(0)) : String.valueOf(arg);
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            int dot = name.indexOf('.');
            String value = dot > 0 && !name.startsWith("AWS::") ? getAtt(name.substring(0, dot), name.substring(dot + 1)) : ref(name);
            m.appendReplacement(b, Matcher.quoteReplacement(value));
        }
        m.appendTail(b);
        return b.toString();
    }

    private boolean truth(Object expr) {
        Map<String, Object> fn = map(expr);
        if (fn.containsKey("Fn::Equals")) {
            List<?> a = (List<?>) fn.get("Fn::Equals");
            return String.valueOf(resolve(a.get(0))).equals(String.valueOf(resolve(a.get(1))));
        }
        if (fn.containsKey("Fn::Not")) return !truth(((List<?>) fn.get("Fn::Not")).get(0));
        if (fn.containsKey("Fn::And")) return ((List<?>) fn.get("Fn::And")).stream().allMatch(this::truth);
        if (fn.containsKey("Fn::Or")) return ((List<?>) fn.get("Fn::Or")).stream().anyMatch(this::truth);
        if (fn.containsKey("Condition")) return conditions.getOrDefault(String.valueOf(fn.get("Condition")), false);
        throw new IllegalArgumentException("unsupported condition " + expr);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
