package io.herald.dynamodb.expr;

import io.herald.dynamodb.expr.Syntax.RPath;
import io.herald.dynamodb.model.AttributeValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A parsed ProjectionExpression (or legacy AttributesToGet, see {@link Legacy}): the attributes and
 * document paths to return. Nested paths keep their structure: {@code a.b[1]} yields
 * {@code {a: {b: [element 1]}}}; elements picked from one list come back in index order, without gaps.
 */
public final class Projection {
    private final List<Path> paths;
    private final Set<String> topLevelNames;
    private final Set<String> nestedTopLevelNames;

    Projection(List<Path> paths) {
        this.paths = List.copyOf(paths);
        Set<String> top = new LinkedHashSet<>(), nested = new LinkedHashSet<>();
        for (Path p : paths) {
            top.add(p.head());
            if (p.size() > 1) nested.add(p.head());
        }
        this.topLevelNames = Collections.unmodifiableSet(top);
        this.nestedTopLevelNames = Collections.unmodifiableSet(nested);
    }

    public static Projection parse(String text, ExpressionContext ctx) {
        Syntax.checkText(text, "ProjectionExpression");
        List<RPath> raw = Syntax.parseProjection(text);
        final int reserved = 0, name = 1, overlap = 2, conflict = 3;
        Analyzer a = new Analyzer(ctx, "ProjectionExpression", 4, reserved, name, name);
        List<Path> paths = new ArrayList<>(raw.size());
        for (RPath r : raw) paths.add(a.path(r));
        List<Path> seen = new ArrayList<>();
        for (Path p : paths) {
            if (p == null || a.problem(overlap) != null) continue;
            for (Path q : seen) {
                int n = Math.min(p.size(), q.size());
                boolean diverge = false;
                for (int i = 0; i < n && !diverge; i++) {
                    if (p.isIndex(i) != q.isIndex(i)) {
                        a.problem(conflict, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
                                + q + ", path two: " + p);
                        diverge = true;
                    } else if (!p.elements().get(i).equals(q.elements().get(i))) {
                        diverge = true;
                    }
                }
                if (!diverge) {
                    a.problem(overlap, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                            + q + ", path two: " + p);
                    break;
                }
            }
            seen.add(p);
        }
        a.throwFirst(reserved, name, overlap, conflict);
        return new Projection(paths);
    }

    /** The projected item; null for a null item. Attributes and paths the item lacks are left out. */
    public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
        if (item == null) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        for (Path p : paths) {
            AttributeValue v = p.resolve(item);
            if (v == null) continue;
            if (p.size() == 1) {
                out.put(p.head(), v);
                continue;
            }
            Object container = out;
            for (int i = 0; i < p.size() - 1; i++) {
                Object key = p.elements().get(i);
                boolean nextIsIndex = p.isIndex(i + 1);
                container = child(container, key, nextIsIndex);
            }
            put(container, p.elements().get(p.size() - 1), v);
        }
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        out.forEach((k, v) -> result.put(k, build(v)));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Object child(Object container, Object key, boolean asList) {
        if (container instanceof TreeMap<?, ?> list) {
            return ((TreeMap<Integer, Object>) list).computeIfAbsent((Integer) key, k -> asList ? new TreeMap<Integer, Object>() : new LinkedHashMap<String, Object>());
        }
        return ((Map<String, Object>) container).computeIfAbsent((String) key, k -> asList ? new TreeMap<Integer, Object>() : new LinkedHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    private static void put(Object container, Object key, AttributeValue v) {
        if (container instanceof TreeMap<?, ?> list) ((TreeMap<Integer, Object>) list).put((Integer) key, v);
        else ((Map<String, Object>) container).put((String) key, v);
    }

    @SuppressWarnings("unchecked")
    private static AttributeValue build(Object o) {
        if (o instanceof AttributeValue v) return v;
        if (o instanceof TreeMap<?, ?> list) {
            List<AttributeValue> out = new ArrayList<>();
            for (Object x : list.values()) out.add(build(x));
            return AttributeValue.l(out);
        }
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        ((Map<String, Object>) o).forEach((k, v) -> out.put(k, build(v)));
        return AttributeValue.m(out);
    }

    /** The projected paths, in the order written. */
    public List<Path> paths() {
        return paths;
    }

    /** The top-level attributes the projection names. */
    public Set<String> topLevelNames() {
        return topLevelNames;
    }

    /** The top-level attributes the projection reaches into ({@code a.b}, {@code a[0]}). */
    public Set<String> nestedTopLevelNames() {
        return nestedTopLevelNames;
    }
}
