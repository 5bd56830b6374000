package io.herald.local.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.local.lambda.LocalFunction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Lambda REQUEST authorizer on $connect, as API Gateway runs it: every identity source must be
 * present and non-empty or the handshake gets 401 without a call; the function's IAM policy must
 * allow {@code execute-api:Invoke} on the route's method ARN (an explicit Deny wins) or the
 * handshake gets 403; a function that fails with "Unauthorized" gives 401, any other failure or an
 * unusable answer 500. On Allow, the principalId and context reach every later event's
 * {@code requestContext.authorizer}, context values as strings.
 */
public final class RequestAuthorizer {
    /** The authorizer's answer for one handshake. */
    public record Decision(int status, String message, ObjectNode context) {
        boolean allowed() {
            return status == 200;
        }
    }

    private final String name;
    private final LocalFunction function;
    private final List<String> identitySources;

    /** @param identitySources {@code route.request.header.NAME} or {@code route.request.querystring.NAME} */
    public RequestAuthorizer(String name, LocalFunction function, List<String> identitySources) {
        this.name = name;
        this.function = function;
        this.identitySources = List.copyOf(identitySources);
    }

    Decision authorize(ObjectNode request, Map<String, String> headers, Map<String, List<String>> query, String methodArn) {
        for (String source : identitySources) {
            String value = source.startsWith("route.request.header.")
                    ? header(headers, source.substring("route.request.header.".length()))
                    : last(query.get(source.substring("route.request.querystring.".length())));
            if (value == null || value.isEmpty()) return new Decision(401, "Unauthorized", null);
        }
        JsonNode answer;
        try {
            answer = Json.parse(new String(function.invoke(Json.write(request).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        } catch (LocalFunction.FunctionError e) {
            Throwable cause = e.getCause();
            if (cause != null && "Unauthorized".equals(cause.getMessage())) return new Decision(401, "Unauthorized", null);
            System.err.println("[herald-local] authorizer " + name + " failed: " + e);
            return new Decision(500, "Internal server error", null);
        } catch (RuntimeException e) {
            System.err.println("[herald-local] authorizer " + name + " answered no JSON: " + e);
            return new Decision(500, "Internal server error", null);
        }
        Boolean allowed = evaluate(answer.path("policyDocument"), methodArn);
        if (allowed == null || !answer.path("principalId").isValueNode()) {
            System.err.println("[herald-local] authorizer " + name + " answered no principalId or policyDocument: " + answer);
            return new Decision(500, "Internal server error", null);
        }
        if (!allowed) return new Decision(403, "Forbidden", null);
        ObjectNode context = Json.object().put("principalId", answer.get("principalId").asText());
        for (var it = answer.path("context").fields(); it.hasNext(); ) {
            var f = it.next();
            if (!f.getValue().isValueNode()) {
                // API Gateway refuses objects and arrays in the context (an authorizer configuration error)
                System.err.println("[herald-local] authorizer " + name + ": context." + f.getKey() + " is not a string, number or boolean");
                return new Decision(500, "Internal server error", null);
            }
            context.put(f.getKey(), f.getValue().asText());
        }
        return new Decision(200, "", context);
    }

    /** true: an Allow matches and no Deny does; false: not allowed; null: no usable policy. */
    static Boolean evaluate(JsonNode policy, String methodArn) {
        JsonNode statements = policy.path("Statement");
        if (statements.isObject()) statements = Json.MAPPER.createArrayNode().add(statements);
        if (!statements.isArray() || statements.isEmpty()) return null;
        boolean allow = false;
        for (JsonNode s : statements) {
            if (!matchesAny(s.path("Action"), "execute-api:Invoke") || !matchesAny(s.path("Resource"), methodArn)) continue;
            String effect = s.path("Effect").asText();
            if (effect.equals("Deny")) return false;
            if (effect.equals("Allow")) allow = true;
        }
        return allow;
    }

    private static boolean matchesAny(JsonNode patterns, String value) {
        if (patterns.isTextual()) return glob(patterns.asText(), value);
        for (JsonNode p : patterns) {
            if (glob(p.asText(), value)) return true;
        }
        return false;
    }

    /** IAM wildcards: * any run of characters, ? one character. */
    private static boolean glob(String pattern, String value) {
        StringBuilder re = new StringBuilder();
        for (char ch : pattern.toCharArray()) {
            if (ch == '*') re.append(".*");
            else if (ch == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(value).matches();
    }

    private static String header(Map<String, String> headers, String name) {
        for (var e : headers.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) return e.getValue();
        }
        return null;
    }

    private static String last(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }
}
