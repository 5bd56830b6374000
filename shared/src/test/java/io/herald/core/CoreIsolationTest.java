package io.herald.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core is tested without AWS: no SDK or Lambda type may appear in io.herald.core. */
class CoreIsolationTest {
    @Test
    void core_sources_should_not_import_aws_or_lambda_types() throws IOException {
        Path core = Path.of("src/main/java/io/herald/core");
        assertTrue(Files.isDirectory(core), "run from the shared module");
        try (Stream<Path> files = Files.walk(core)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    String s = Files.readString(p);
                    return s.contains("import software.amazon") || s.contains("import com.amazonaws");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).map(Path::toString).toList();
            assertEquals(List.of(), offenders);
        }
    }
}
