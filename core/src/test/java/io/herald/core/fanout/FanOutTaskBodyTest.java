package io.herald.core.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Task bodies SQS accepts (its characters and its 256 KB), read back as written. */
class FanOutTaskBodyTest {
    /** SQS's rule: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
    static boolean sqsTakes(String body) {
        return body.codePoints().allMatch(cp -> cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF));
    }

    @Test
    void a_shard_task_whose_data_holds_characters_sqs_refuses_should_be_written_with_escapes_and_read_back_the_same() {
        Publication p = new Publication("pub-\uFFFE", "raffle_drawn", List.of("raffles.big"),
                Json.object().put("x", "\uFFFF").put("lone", "\uD83D").put("kept", "漢字 😀"), Json.object().put("m", "\uFFFF"));
        String body = FanOutTask.write(new FanOutTask.Shard(p.id(), 3, p));
        assertTrue(sqsTakes(body), body);
        assertTrue(body.contains("漢字 😀"), "allowed characters are not escaped: " + body);
        FanOutTask.Shard back = (FanOutTask.Shard) FanOutTask.read(body);
        assertEquals(p, back.publication());
        assertEquals("pub-\uFFFE", back.publicationId());
    }

    @Test
    void a_batch_task_should_be_written_with_escapes_and_read_back_the_same() {
        byte[] frame = "{\"x\":\"\uFFFF\"}".getBytes(StandardCharsets.UTF_8);
        FanOutTask.Batch b = new FanOutTask.Batch("pub-\uFFFF", "pub-\uFFFF#0#topics#raffles.big#1.0", frame, List.of("a=", "b="));
        String body = FanOutTask.write(b);
        assertTrue(sqsTakes(body), body);
        FanOutTask.Batch back = (FanOutTask.Batch) FanOutTask.read(body);
        assertEquals(b.key(), back.key());
        assertEquals(b.publicationId(), back.publicationId());
        assertArrayEquals(frame, back.frame());
        assertEquals(b.connectionIds(), back.connectionIds());
    }

    /** fits() decides whether a hash batch must be split: it must agree with the body as written, at the edge too. */
    @Test
    void fits_should_agree_with_the_written_body_around_the_limit() {
        byte[] frame = new byte[128 * 1024];
        List<String> ids = new ArrayList<>();
        int firstTooLarge = -1;
        for (int i = 0; i < 6_000 && firstTooLarge < 0; i++) {
            ids.add(String.format("Id%013d=", i));
            if (ids.size() > 1 && ids.size() < 4_500 && ids.size() % 1_000 != 0) continue; // the edge is near 4,600
            FanOutTask.Batch b = new FanOutTask.Batch("pub", "pub#0#topics#t#1.0", frame, ids);
            int bytes = FanOutTask.write(b).getBytes(StandardCharsets.UTF_8).length;
            assertEquals(bytes <= FanOutTask.MAX_BODY_BYTES, FanOutTask.fits(b), ids.size() + " ids, " + bytes + " bytes");
            if (bytes > FanOutTask.MAX_BODY_BYTES) firstTooLarge = ids.size();
        }
        // a 128 KB frame travels as 174,764 bytes of base64, which leaves room for about 4,600 such ids
        assertTrue(firstTooLarge > 4_000 && firstTooLarge < 5_000, "first too large at " + firstTooLarge);
        assertFalse(FanOutTask.fits(new FanOutTask.Batch("pub", "k", new byte[200 * 1024], List.of("a="))));
    }
}
