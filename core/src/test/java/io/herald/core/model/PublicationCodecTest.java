package io.herald.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.json.Json;
import io.herald.core.routing.TopicRouter;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicationCodecTest {
    private final PublicationCodec codec = new PublicationCodec(TopicRouter.defaults());

    private Publication read(String json) {
        return codec.read(Json.parse(json));
    }

    @Test
    void read_should_take_explicit_topics_and_id() {
        Publication p = read("{\"type\":\"box_purchased\",\"topics\":[\"raffles.r1\",\"raffles.r1\"],\"data\":{\"x\":1},\"id\":\"e-1\"}");
        assertEquals("box_purchased", p.type());
        assertEquals(List.of("raffles.r1"), p.topics());
        assertEquals("e-1", p.id());
        assertEquals(1, p.data().get("x").asInt());
    }

    @Test
    void read_should_derive_topics_from_data_when_none_given() {
        Publication p = read("{\"type\":\"box_purchased\",\"data\":{\"raffle_id\":\"r-1\",\"user_id\":\"u-9\"}}");
        assertEquals(List.of("users.u-9", "raffles.r-1"), p.topics());
        Publication b = read("{\"type\":\"seat_update\",\"data\":{\"eventId\":123,\"availableSeats\":4}}");
        assertEquals(List.of("events.123"), b.topics());
        assertNull(b.id());
    }

    @Test
    void read_should_route_messages_to_the_topics_documents_feeds() {
        Publication p = read("{\"type\":\"message.sent\",\"data\":{\"userId\":\"a\",\"recipientId\":\"b\"}}");
        assertEquals(List.of("messages", "messages.user.a", "messages.user.b"), p.topics());
        Publication c = read("{\"type\":\"message.sent\",\"data\":{\"userId\":\"a\",\"channelId\":\"general\"}}");
        assertEquals(List.of("messages", "messages.user.a", "messages.channel.general"), c.topics());
    }

    @Test
    void read_should_reject_bad_publications_with_reasons() {
        String[] bad = {
            "[]", "{}", "{\"type\":\"\"}", "{\"type\":5,\"topics\":[\"a\"]}",
            "{\"type\":\"t\",\"topics\":\"a\"}", "{\"type\":\"t\",\"topics\":[1]}", "{\"type\":\"t\",\"topics\":[\"a.*\"]}",
            "{\"type\":\"t\",\"topics\":[\"a\"],\"data\":[1]}", "{\"type\":\"t\",\"topics\":[\"a\"],\"id\":{}}",
            "{\"type\":\"t\",\"data\":{\"nothing\":\"routable\"}}",
        };
        for (String b : bad) {
            InvalidPublicationException e = assertThrows(InvalidPublicationException.class, () -> read(b), b);
            assertTrue(e.getMessage().length() > 5, b);
        }
    }

    @Test
    void readEventBridge_should_take_type_from_detail_type() {
        Publication p = codec.readEventBridge(Json.parse(
                "{\"id\":\"ev-1\",\"detail-type\":\"raffle_created\",\"source\":\"raffles\",\"detail\":{\"data\":{\"raffle_id\":\"r1\"}}}"));
        assertEquals("raffle_created", p.type());
        assertEquals(List.of("raffles.r1"), p.topics());
        assertThrows(InvalidPublicationException.class,
                () -> codec.readEventBridge(Json.parse("{\"detail-type\":\"x\",\"detail\":\"nope\"}")));
    }

    /** Issue 11, item 16: de-duplication with List.contains ran before the cap; 32,000 topics took a second. */
    @Test
    void a_long_topic_list_should_be_refused_by_the_cap_before_the_rest_is_read() {
        StringBuilder topics = new StringBuilder();
        for (int i = 0; i < 32_000; i++) topics.append(i == 0 ? "" : ",").append(i == 24 ? "\"not a topic!\"" : "\"t." + i + "\"");
        InvalidPublicationException e = assertThrows(InvalidPublicationException.class,
                () -> read("{\"type\":\"x\",\"topics\":[" + topics + "]}"));
        assertEquals("more than 20 topics", e.getMessage(), "the 21st distinct topic refuses the list; the 25th is never read");
    }

    @Test
    void repeated_topics_should_count_once_against_the_cap() {
        StringBuilder topics = new StringBuilder();
        for (int i = 0; i < 32_000; i++) topics.append(i == 0 ? "" : ",").append("\"t." + (i % 20) + "\"");
        Publication p = read("{\"type\":\"x\",\"topics\":[" + topics + "]}");
        assertEquals(20, p.topics().size());
        assertEquals("t.0", p.topics().get(0));
    }
}
