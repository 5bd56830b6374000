package io.herald.local.vtl;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.StringEscapeUtils;

/** {@code $util}: the functions API Gateway's mapping templates offer. */
public final class VtlUtil {
    static final VtlUtil INSTANCE = new VtlUtil();

    private VtlUtil() {}

    /** JavaScript string rules, as API Gateway's (commons-lang's) escapeJavaScript. */
    @SuppressWarnings("deprecation")
    public String escapeJavaScript(String s) {
        return s == null ? "" : StringEscapeUtils.escapeEcmaScript(s);
    }

    public Object parseJson(String s) {
        return plain(Json.parse(s));
    }

    public String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public String urlDecode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public String base64Encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public String base64Decode(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    /** JSON as Velocity walks it: objects as maps, arrays as lists, scalars as themselves, missing as null. */
    static Object plain(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return null;
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (n.isBoolean()) return n.booleanValue();
        if (n.isNumber()) return n.numberValue();
        return n.asText();
    }
}
