package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class StreamImagesTest {
    @Test
    void every_type_should_survive_the_way_to_json_and_back() {
        Map<String, AttributeValue> item = Map.of(
                "s", AttributeValue.fromS("text"),
                "n", AttributeValue.fromN("12.5"),
                "b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xff})),
                "bool", AttributeValue.fromBool(true),
                "nul", AttributeValue.fromNul(true),
                "m", AttributeValue.fromM(Map.of("inner", AttributeValue.fromS("x"))),
                "l", AttributeValue.fromL(List.of(AttributeValue.fromN("1"), AttributeValue.fromS("two"))),
                "ss", AttributeValue.fromSs(List.of("a", "b")),
                "ns", AttributeValue.fromNs(List.of("1", "2")),
                "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"), SdkBytes.fromUtf8String("yz"))));

        var json = StreamImages.toJson(item);

        assertEquals("AAH/", json.get("b").get("B").asText(), "binary as base64, as stream events carry it");
        assertEquals(item, StreamImages.toItem(Json.parse(Json.write(json))));
    }

    /** Issue 12: the function's reader had no B or BS, so an image with a binary attribute failed the record. */
    @Test
    void regression_binary_attributes_in_an_image_were_unsupported() {
        var item = StreamImages.toItem(Json.parse("{\"b\":{\"B\":\"aGk=\"},\"bs\":{\"BS\":[\"aGk=\",\"eW8=\"]}}"));
        assertEquals("hi", item.get("b").b().asUtf8String());
        assertEquals(2, item.get("bs").bs().size());
    }

    /** Issue 12: the local stack's writer turned a value of a type it did not know into NULL. */
    @Test
    void regression_unknown_types_should_be_an_error_not_null() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamImages.toItem(Json.parse("{\"x\":{\"Q\":\"1\"}}")));
        assertTrue(e.getMessage().contains("attribute x"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StreamImages.toItem(Json.parse("{\"x\":\"plain\"}")));
        assertThrows(IllegalArgumentException.class, () -> StreamImages.toItem(Json.parse("{\"x\":{\"S\":\"a\",\"N\":\"1\"}}")));
        assertThrows(IllegalArgumentException.class,
                () -> StreamImages.toJson(Map.of("x", AttributeValue.builder().build())));
    }

    @Test
    void a_stored_connection_should_come_back_from_its_stream_image() {
        Connection c = new Connection("c-1", "u-1", "booking", Instant.ofEpochMilli(1_700_000_000_123L), "10.0.0.1", "agent",
                Map.of("eventId", "e1"), 1_700_010_000L);
        var image = Json.parse(Json.write(StreamImages.toJson(DynamoDbConnectionStore.toItem(c))));

        assertEquals(c, DynamoDbConnectionStore.fromStreamImage(image).orElseThrow());
        assertTrue(DynamoDbConnectionStore.fromStreamImage(Json.parse("{\"pk\":{\"S\":\"stats#1\"}}")).isEmpty(),
                "an item that is not a connection");
    }
}
