package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone engine lets its JVM give heap back when idle, leaving flags the user set alone. */
class StandaloneHeapTest {
    @Test
    void theEngineShouldLetTheJvmReturnIdleHeapButKeepFlagsTheUserSet(@TempDir Path dir) throws Exception {
        PersistenceTest.Running engine = PersistenceTest.launchWith(List.of("-XX:MaxHeapFreeRatio=50"), dir);
        try {
            // set on a background thread after the banner: wait for it, trying jcmd's attach more than once
            String flags = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!"30000".equals(flag(flags, "G1PeriodicGCInterval")) && System.nanoTime() < deadline) {
                Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(engine.process().pid()), "VM.flags", "-all").redirectErrorStream(true).start();
                flags = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS));
                if (!"30000".equals(flag(flags, "G1PeriodicGCInterval"))) Thread.sleep(200);
            }
            assertEquals("30000", flag(flags, "G1PeriodicGCInterval"), "an idle collection every 30 s");
            assertEquals("10", flag(flags, "MinHeapFreeRatio"));
            assertEquals("50", flag(flags, "MaxHeapFreeRatio"), "set on the command line: left alone");
        } finally {
            engine.process().destroy();
            engine.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String flag(String vmFlagsAll, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s+=\\s+(\\S+)").matcher(vmFlagsAll);
        return m.find() ? m.group(1) : "(absent)";
    }
}
