package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The console page, driven once in headless Chromium through playwright-core (installed by
 * .ci/run). Skipped, saying why, when Chromium or playwright-core is not on the machine.
 */
class ConsolePageTest {
    static final Path SCRIPT_DIR = Path.of("infra/local/src/test/browser");

    @Test
    void the_console_should_connect_subscribe_publish_and_show_stats() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assumeTrue(Files.isExecutable(chromium), "Chromium not installed at " + chromium + " (apt-get install chromium)");
        assumeTrue(Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core")),
                "playwright-core not installed (cd " + SCRIPT_DIR + " && npm install)");
        Path shot = Path.of("infra/local/target/console.png");
        Files.deleteIfExists(shot);
        try (LocalStack stack = new LocalStack(LocalOptions.defaults().withPort(0)).start()) {
            Process p = new ProcessBuilder("node", "console-check.mjs", stack.httpUrl() + "/", shot.toAbsolutePath().toString())
                    .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).start();
            boolean done = p.waitFor(90, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes());
            if (!done) p.destroyForcibly();
            assertTrue(done, "the browser check did not finish: " + out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(Files.size(shot) > 10_000, "a real screenshot was saved");
        }
    }
}
