package io.herald.dynamodb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine's own JSON reader and writer, checked against Jackson's parser (which they replace on
 * the wire and in the journal): the same trees from the same text, refusals where Jackson refuses,
 * and text that reads back to the tree it came from.
 */
class JsonReaderWriterTest {
    /** Jackson as the engine used it: numbers as long, BigInteger or exact BigDecimal. */
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private static JsonNode ours(String json) throws IOException {
        return JsonReader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void documents_should_read_to_the_trees_jackson_reads() throws IOException {
        String[] docs = {
            "{}", "[]", "\"\"", "0", "-0", "true", "false", "null",
            "{\"TableName\":\"t\",\"Item\":{\"k\":{\"S\":\"a\"},\"n\":{\"N\":\"1.5\"}},\"Limit\":25}",
            " \t\r\n{ \"a\" : [ 1 , 2.5 , -3e2 , 4E-2 , 1.0e+3 ] , \"b\" : { } } \n",
            "[9223372036854775807, -9223372036854775808, 9223372036854775808, 123456789012345678901234567890]",
            "[0.1, 1e400, 123456789012345678901234567890.123456789]",
            "\"esc: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\u20ac \\ud83d\\ude00\"",
            "\"raw: é € 😀 ありがとう\"",
            "{\"dup\":1,\"dup\":2}",
            "[[[[[[[[[[\"deep\"]]]]]]]]]]",
        };
        for (String d : docs) assertEquals(JACKSON.readTree(d), ours(d), d);
    }

    @Test
    void numbers_should_keep_jacksons_node_types() throws IOException {
        assertEquals(JACKSON.readTree("7").getClass(), ours("7").getClass());
        assertEquals(JACKSON.readTree("70000000000").getClass(), ours("70000000000").getClass());
        assertTrue(ours("92233720368547758070").isBigInteger());
        assertEquals(new BigInteger("92233720368547758070"), ours("92233720368547758070").bigIntegerValue());
        assertEquals(new BigDecimal("1.50"), ours("1.50").decimalValue(), "exact, not normalised");
        assertEquals(Long.MAX_VALUE, ours("9223372036854775807").longValue());
    }

    @Test
    void whitespace_alone_should_be_no_document() throws IOException {
        assertNull(ours(""));
        assertNull(ours(" \n\t "));
    }

    @Test
    void malformed_text_should_be_refused_as_jackson_refuses_it() {
        String[] bad = {
            "{", "[1,", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}", "'x'",
            "01", "-", "+1", ".5", "1.", "1e", "1e+", "NaN", "Infinity", "tru", "nul", "truex",
            "\"open", "\"bad \\x escape\"", "\"\\u12\"", "\"\\u12g4\"", "\"tab\tinside\"",
            "/* comment */ {}", "{} {}", "{}x", "[1]]",
        };
        for (String d : bad) {
            assertThrows(IOException.class, () -> JACKSON.readTree(d), "Jackson should refuse " + d);
            assertThrows(IOException.class, () -> ours(d), "we should refuse " + d);
        }
    }

    @Test
    void malformed_utf8_should_be_refused() {
        byte[][] bad = {
            {'"', (byte) 0x80, '"'}, // a lone continuation byte
            {'"', (byte) 0xc3, '"'}, // a lead byte without its continuation
            {'"', (byte) 0xc0, (byte) 0x80, '"'}, // overlong NUL
            {'"', (byte) 0xe0, (byte) 0x80, (byte) 0x80, '"'}, // overlong three-byte form
            {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // an encoded surrogate
            {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // past U+10FFFF
            {'"', (byte) 0xff, '"'},
        };
        for (byte[] b : bad) assertThrows(IOException.class, () -> JsonReader.read(b), () -> java.util.Arrays.toString(b));
    }

    @Test
    void nesting_should_stop_at_a_thousand_levels_with_an_error_not_a_stack_overflow() throws IOException {
        int limit = JsonReader.MAX_DEPTH;
        assertTrue(ours("[".repeat(limit) + "]".repeat(limit)).isArray());
        IOException e = assertThrows(IOException.class, () -> ours("[".repeat(limit + 1) + "]".repeat(limit + 1)));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
        assertThrows(IOException.class, () -> ours("{\"a\":".repeat(100_000)));
    }

    @Test
    void numbers_longer_than_a_thousand_characters_should_be_refused() throws IOException {
        assertTrue(ours("1".repeat(JsonReader.MAX_NUMBER_LENGTH)).isBigInteger());
        assertThrows(IOException.class, () -> ours("1".repeat(JsonReader.MAX_NUMBER_LENGTH + 1)));
    }

    @Test
    void written_text_should_read_back_to_the_same_tree_in_both_readers() throws IOException {
        Random r = new Random(7);
        for (int n = 0; n < 500; n++) {
            JsonNode tree = randomTree(r, 0);
            byte[] text = JsonTrees.bytes(tree);
            assertEquals(tree, JsonReader.read(text), () -> new String(text, StandardCharsets.UTF_8));
            assertEquals(tree, JACKSON.readTree(text), () -> new String(text, StandardCharsets.UTF_8));
            assertEquals(JACKSON.writeValueAsString(tree), new String(text, StandardCharsets.UTF_8), "the text Jackson writes for the same tree (its UTF-8 writer, unlike this one, escapes characters beyond U+FFFF)");
        }
    }

    @Test
    void strings_should_escape_what_json_requires_and_keep_the_rest_as_utf8() {
        String s = "q\" b\\ nl\n cr\r tab\t bs\b ff\f nul\u0000 us\u001f é € 😀 /";
        String written = new JsonWriter(8).string(s).toString();
        assertEquals("\"q\\\" b\\\\ nl\\n cr\\r tab\\t bs\\b ff\\f nul\\u0000 us\\u001f é € 😀 /\"", written);
    }

    @Test
    void a_lone_surrogate_should_survive_a_round_trip() throws IOException {
        JsonNode tree = ours("{\"s\":\"a\\ud800b\\udc00\"}");
        assertEquals("a\ud800b\udc00", tree.get("s").textValue());
        byte[] text = JsonTrees.bytes(tree);
        assertEquals("{\"s\":\"a\\ud800b\\udc00\"}", new String(text, StandardCharsets.UTF_8));
        assertEquals(tree, JsonReader.read(text));
    }

    @Test
    void canonical_text_should_order_fields_by_name_at_every_level() throws IOException {
        JsonNode a = ours("{\"b\":1,\"a\":{\"y\":[{\"d\":1,\"c\":2}],\"x\":true}}");
        JsonNode b = ours("{\"a\":{\"x\":true,\"y\":[{\"c\":2,\"d\":1}]},\"b\":1}");
        assertArrayEquals(JsonTrees.canonicalBytes(a), JsonTrees.canonicalBytes(b));
        assertEquals("{\"a\":{\"x\":true,\"y\":[{\"c\":2,\"d\":1}]},\"b\":1}", new String(JsonTrees.canonicalBytes(a), StandardCharsets.UTF_8));
    }

    @Test
    void the_writer_should_place_commas_between_values_and_fields() {
        JsonWriter w = new JsonWriter(4).startObject().field("a", "x").name("b").startArray().number(1).number("2.5").bool(false).nullValue()
                .startObject().endObject().startArray().endArray().endArray().name("c").startObject().field("d", "").endObject().endObject();
        assertEquals("{\"a\":\"x\",\"b\":[1,2.5,false,null,{},[]],\"c\":{\"d\":\"\"}}", w.toString());
    }

    private static final String ALPHABET = "aZ09 \"\\/\n\t\u0001é€😀";

    private static JsonNode randomTree(Random r, int depth) {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true);
        int kind = depth > 4 ? 2 + r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0: {
                var o = f.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) o.set(randomString(r), randomTree(r, depth + 1));
                return o;
            }
            case 1: {
                var a = f.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) a.add(randomTree(r, depth + 1));
                return a;
            }
            case 2:
                return f.textNode(randomString(r));
            case 3: {
                long v = r.nextBoolean() ? r.nextInt() : r.nextLong();
                return v == (int) v ? f.numberNode((int) v) : f.numberNode(v);
            }
            case 4:
                return f.numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(40) - 20));
            case 5:
                return f.booleanNode(r.nextBoolean());
            default:
                return f.nullNode();
        }
    }

    private static String randomString(Random r) {
        StringBuilder s = new StringBuilder();
        int[] cps = ALPHABET.codePoints().toArray();
        for (int i = r.nextInt(8); i > 0; i--) s.appendCodePoint(cps[r.nextInt(cps.length)]);
        return s.toString();
    }
}
