package io.herald.local.vtl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONPath that {@code $input.json} and {@code $input.path} take in practice: {@code $},
 * {@code $.a.b}, {@code $.items[0].id}, {@code $['a b']}. Filters, wildcards and recursive
 * descent are refused, with the expression named.
 */
final class JsonPath {
    private JsonPath() {}

    static JsonNode select(JsonNode root, String path) {
        JsonNode n = root;
        for (Object step : steps(path)) {
            if (n == null || n.isMissingNode()) return MissingNode.getInstance();
            n = step instanceof Integer i ? n.path(i) : n.path((String) step);
        }
        return n;
    }

    /** The steps of a path: field names and array indexes. */
    static List<Object> steps(String path) {
        String p = path.trim();
        if (!p.startsWith("$")) throw unsupported(path);
        List<Object> out = new ArrayList<>();
        int i = 1;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') end++;
                String name = p.substring(i + 1, end);
                if (name.isEmpty() || name.equals("*")) throw unsupported(path);
                out.add(name);
                i = end;
            } else if (c == '[') {
                int end = p.indexOf(']', i);
                if (end < 0) throw unsupported(path);
                String inside = p.substring(i + 1, end).trim();
                if (inside.matches("\\d+")) out.add(Integer.parseInt(inside));
                else if (inside.length() >= 2 && (inside.startsWith("'") && inside.endsWith("'")
                        || inside.startsWith("\"") && inside.endsWith("\""))) out.add(inside.substring(1, inside.length() - 1));
                else throw unsupported(path);
                i = end + 1;
            } else {
                throw unsupported(path);
            }
        }
        return out;
    }

    private static IllegalArgumentException unsupported(String path) {
        return new IllegalArgumentException("JSONPath " + path + " is not supported locally ($, .name, [index] and ['name'] are)");
    }
}
