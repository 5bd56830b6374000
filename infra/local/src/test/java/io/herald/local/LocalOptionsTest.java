package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalOptionsTest {
    @Test
    void parse_should_take_environment_then_arguments() {
        LocalOptions o = LocalOptions.parse(new String[] {"--port", "9000", "--param", "MaxConnectionsPerIp=0"},
                Map.of("HERALD_PORT", "7000", "HERALD_STAGE", "dev", "HERALD_PROFILE", "raffle", "HERALD_DATA_DIR", "/tmp/h"));
        assertEquals(9000, o.port());
        assertEquals("dev", o.stage());
        assertEquals("raffle", o.profile());
        assertEquals(Path.of("/tmp/h"), o.dataDir());
        assertEquals(Map.of("MaxConnectionsPerIp", "0"), o.parameters());
        assertEquals(LocalOptions.DEFAULT_SECRET, o.jwtSecret());
    }

    @Test
    void parse_should_explain_bad_input() {
        assertTrue(message("--port", "http").contains("port must be a number"));
        assertTrue(message("--port", "70000").contains("port must be a number"));
        assertTrue(message("--stage", "a/b").contains("stage must be"));
        assertTrue(message("--colour", "red").contains("unknown option --colour"));
        assertTrue(message("--port").contains("needs a value"));
        assertTrue(message("--param", "novalue").contains("Name=Value"));
        assertThrows(LocalOptions.HelpRequested.class, () -> LocalOptions.parse(new String[] {"--help"}, Map.of()));
    }

    @Test
    void an_unknown_template_parameter_should_be_refused() {
        LocalStack s = new LocalStack(LocalOptions.defaults().withPort(0).withParameter("NoSuchParameter", "1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::start);
        assertTrue(e.getMessage().contains("NoSuchParameter"));
        s.close();
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> LocalOptions.parse(args, Map.of())).getMessage();
    }

    @Test
    void a_parameter_may_come_from_a_file(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path words = dir.resolve("words.txt");
        java.nio.file.Files.writeString(words, "darn\n/fr[ae]ak/\n");
        LocalOptions o = LocalOptions.parse(new String[] {"--param", "ChatBlockedWords=@" + words, "--param", "Stage=@@literal"}, Map.of());
        assertEquals("darn\n/fr[ae]ak/", o.parameters().get("ChatBlockedWords"));
        assertEquals("@literal", o.parameters().get("Stage"));
        String missing = assertThrows(IllegalArgumentException.class,
                () -> LocalOptions.parse(new String[] {"--param", "ChatBlockedWords=@" + dir.resolve("nope.txt")}, Map.of())).getMessage();
        assertTrue(missing.contains("cannot read") && missing.contains("nope.txt"), missing);
    }
}
