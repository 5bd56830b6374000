package io.herald.local.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** The functions' ReservedConcurrentExecutions (the function's own, else the Globals'). */
public final class FunctionConcurrency {
    private static final String PROPERTY = "ReservedConcurrentExecutions";

    private FunctionConcurrency() {}

    /**
     * Logical id to reserved concurrency, for the functions that have one.
     *
     * @throws IllegalStateException naming the function and property when the value is not a whole number ≥ 0
     */
    public static Map<String, Integer> reserved(SamTemplate t) {
        Object global = SamTemplate.map(SamTemplate.map(t.raw().get("Globals")).get("Function")).get(PROPERTY);
        Map<String, Integer> out = new LinkedHashMap<>();
        t.ofType("AWS::Serverless::Function").forEach((id, r) -> {
            Object v = SamTemplate.props(r).getOrDefault(PROPERTY, global);
            if (v == null) return;
            String s = String.valueOf(t.resolve(v));
            if (!s.matches("\\d{1,6}")) {
                throw new IllegalStateException(id + " (AWS::Serverless::Function): " + PROPERTY + " " + s
                        + " is not a whole number of 0 or more");
            }
            out.put(id, Integer.parseInt(s));
        });
        return out;
    }
}
