package io.herald.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicRouterTest {
    @Test
    void route_should_use_the_first_group_whose_type_glob_matches() {
        TopicRouter r = TopicRouter.parse("[{\"types\":\"order.*\",\"topics\":[\"orders.{orderId}\"]},"
                + "{\"types\":\"*\",\"topics\":[\"users.{userId}\"]}]");
        assertEquals(List.of("orders.o1"), r.route("order.paid", Json.object().put("orderId", "o1").put("userId", "u")));
        assertEquals(List.of("users.u"), r.route("other", Json.object().put("orderId", "o1").put("userId", "u")));
    }

    @Test
    void route_should_skip_templates_with_missing_or_unusable_values() {
        TopicRouter r = TopicRouter.defaults();
        assertEquals(List.of(), r.route("x", Json.object().putNull("user_id")));
        // any id is one segment (issue 11, item 15): dots are escaped, never a deeper topic
        assertEquals(List.of("users.a%2Eb%2E%2Ec"), r.route("x", Json.object().put("user_id", "a.b..c")));
        assertEquals(List.of(), r.route("x", Json.object().put("user_id", "x".repeat(1100))));
        assertEquals(List.of("users.7"), r.route("x", Json.object().put("user_id", 7)));
    }

    @Test
    void system_events_should_go_to_everyone_on_the_system_topic() {
        assertEquals(List.of("system"), TopicRouter.defaults().route("system_alert", Json.object().put("level", "info")));
    }

    @Test
    void parse_should_reject_malformed_routes() {
        assertThrows(IllegalArgumentException.class, () -> TopicRouter.parse("{}"));
        assertThrows(IllegalArgumentException.class, () -> TopicRouter.parse("[{\"types\":\"*\"}]"));
    }
}
