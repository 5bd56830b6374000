package io.herald.local.vtl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VTL subset API Gateway's templates use, through Velocity, and what is refused. */
class MappingTemplateTest {
    static final Map<String, Object> CONTEXT = Map.of("connectionId", "abc=", "routeKey", "echo",
            "identity", Map.of("sourceIp", "127.0.0.1"), "authorizer", Map.of("principalId", "u1", "role", "admin"));

    static String render(String template, String body) {
        return MappingTemplate.compile("T", template).render(CONTEXT, Map.of("color", "blue"), body);
    }

    @Test
    void context_input_util_and_stage_variables_should_render() {
        String t = "{\"id\":\"$context.connectionId\",\"ip\":\"$context.identity.sourceIp\",\"who\":\"$context.authorizer.principalId\","
                + "\"color\":\"$stageVariables.color\",\"data\":$input.json('$.data'),\"n\":$input.path('$.items[1].n'),"
                + "\"text\":\"$util.escapeJavaScript($input.path('$.text'))\",\"none\":\"$context.nothing\"}";
        assertEquals("{\"id\":\"abc=\",\"ip\":\"127.0.0.1\",\"who\":\"u1\",\"color\":\"blue\",\"data\":{\"a\":[1,2]},\"n\":7,"
                + "\"text\":\"say \\\"hi\\\"\",\"none\":\"\"}",
                render(t, "{\"data\":{\"a\":[1,2]},\"items\":[{\"n\":3},{\"n\":7}],\"text\":\"say \\\"hi\\\"\"}"));
    }

    @Test
    void if_else_and_set_should_work_as_in_velocity() {
        String t = "#set($kind = $input.path('$.kind'))#if($kind == \"a\")A#elseif($kind == \"b\")B#{else}other#end:$kind";
        assertEquals("A:a", render(t, "{\"kind\":\"a\"}"));
        assertEquals("B:b", render(t, "{\"kind\":\"b\"}"));
        assertEquals("other:z", render(t, "{\"kind\":\"z\"}"));
        assertEquals("{\"statusCode\": 200}", render("#if($input.path('$.ok'))\n{\"statusCode\": 200}#else{\"statusCode\": 400}#end",
                "{\"ok\":true}").trim());
    }

    @Test
    void what_api_gateway_does_not_offer_should_be_refused_with_its_place() {
        var e = assertThrows(IllegalStateException.class, () -> MappingTemplate.compile("R.ResponseTemplates.$default", "$request.body"));
        assertTrue(e.getMessage().startsWith("R.ResponseTemplates.$default: $request (line 1) is not a variable"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> MappingTemplate.compile("X", "$util.time()"));
        assertTrue(e.getMessage().startsWith("X: $util.time (line 1) is not emulated"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> MappingTemplate.compile("X", "$input.params('a')"));
        assertTrue(e.getMessage().startsWith("X: $input.params (line 1) is not emulated"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> MappingTemplate.compile("X", "#macro(m)x#end"));
        assertTrue(e.getMessage().startsWith("X: #macro"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> MappingTemplate.compile("X", "#if($input.body"));
        assertTrue(e.getMessage().startsWith("X: not a valid mapping template"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> MappingTemplate.compile("X", "$input.json('$..a')"));
        assertTrue(e.getMessage().startsWith("X: JSONPath $..a is not supported locally"), e.getMessage());
    }

    @Test
    void a_body_that_is_not_json_should_select_nothing_but_still_be_the_body() {
        assertEquals("[]|plain", render("[$input.json('$.a')]|$input.body", "plain"));
    }
}
