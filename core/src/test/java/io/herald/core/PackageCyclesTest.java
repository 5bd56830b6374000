package io.herald.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core's packages form no cycle: a package named for what it holds can be read, and moved,
 * on its own. Dependencies are what the code (not its comments) names of another core package.
 * Issue 13: chat and service depended on each other through the service package's EventLog.
 */
class PackageCyclesTest {
    static final Path SOURCES = Path.of("src/main/java");
    static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    static final Pattern REFERENCE = Pattern.compile("\\b(io\\.herald\\.core(?:\\.[a-z]\\w*)+)\\.[A-Z]");
    static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String code = COMMENTS.matcher(Files.readString(f)).replaceAll(" ");
                Matcher pkg = PACKAGE.matcher(code);
                if (!pkg.find()) continue;
                Set<String> deps = out.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(code);
                while (ref.find()) if (!ref.group(1).equals(pkg.group(1))) deps.add(ref.group(1));
            }
        }
        return out;
    }

    @Test
    void core_packages_should_not_depend_on_each_other_in_a_cycle() throws IOException {
        Map<String, Set<String>> g = graph();
        assertTrue(g.containsKey("io.herald.core.chat") && g.get("io.herald.core.service").contains("io.herald.core.chat"),
                "the graph was read: " + g);
        List<String> cycles = new ArrayList<>();
        for (String from : g.keySet()) {
            for (String to : g.get(from)) {
                if (reaches(g, to, from)) cycles.add(from + " -> " + to);
            }
        }
        assertEquals(List.of(), cycles);
    }

    private static boolean reaches(Map<String, Set<String>> g, String from, String target) {
        Set<String> seen = new TreeSet<>();
        List<String> todo = new ArrayList<>(List.of(from));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            if (p.equals(target)) return true;
            if (seen.add(p)) todo.addAll(g.getOrDefault(p, Set.of()));
        }
        return false;
    }
}
