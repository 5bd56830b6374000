package io.herald.dynamodb.expr;

import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.AttributeValue.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A copy-on-write view of an item under update. Only the maps and lists an action descends into are
 * copied; everything else stays shared with the original item. List positions always refer to the list
 * as it was before the update: removed elements leave a hole and elements set past the end are kept
 * aside in index order, so {@code REMOVE a[1], a[2]} removes the original second and third elements and
 * {@code SET a[7] = :x} on a three-element list appends. Holes close when the item is rebuilt.
 */
final class Doc {
    static final String INVALID_PATH = "The document path provided in the update expression is invalid for update";
    private static final Object REMOVED = new Object();

    private static final class MMap {
        final LinkedHashMap<String, Object> entries;

        MMap(Map<String, AttributeValue> m) {
            entries = new LinkedHashMap<>(m);
        }
    }

    private static final class MList {
        final ArrayList<Object> items;
        final int originalSize;
        final TreeMap<Integer, Object> appended = new TreeMap<>();

        MList(List<AttributeValue> l) {
            items = new ArrayList<>(l);
            originalSize = l.size();
        }
    }

    private final MMap root;

    Doc(Map<String, AttributeValue> item) {
        root = new MMap(item == null ? Map.of() : item);
    }

    /** The map or list that holds the path's last element; throws when the path cannot be reached. */
    private Object parentOf(Path path) {
        Object container = root;
        for (int i = 0; i < path.size() - 1; i++) {
            boolean nextIsIndex = path.isIndex(i + 1);
            if (container instanceof MMap m) {
                String key = path.name(i);
                Object c = m.entries.get(key);
                Object p = promote(c, nextIsIndex);
                if (p != c) m.entries.put(key, p);
                container = p;
            } else {
                MList l = (MList) container;
                int ix = path.index(i);
                Object c = ix < l.originalSize ? l.items.get(ix) : l.appended.get(ix);
                if (c == REMOVED) c = null;
                Object p = promote(c, nextIsIndex);
                if (p != c) {
                    if (ix < l.originalSize) l.items.set(ix, p);
                    else l.appended.put(ix, p);
                }
                container = p;
            }
        }
        return container;
    }

    private static Object promote(Object c, boolean asList) {
        if (c instanceof MMap && !asList || c instanceof MList && asList) return c;
        if (c instanceof AttributeValue v) {
            if (!asList && v.type() == Type.M) return new MMap(v.m());
            if (asList && v.type() == Type.L) return new MList(v.l());
        }
        throw DynamoDbError.validation(INVALID_PATH);
    }

    /** The current value at a path, or null; a path through missing or mistyped parents is an error. */
    AttributeValue get(Path path) {
        Object parent = parentOf(path);
        int last = path.size() - 1;
        Object v;
        if (parent instanceof MMap m) {
            v = m.entries.get(path.name(last));
        } else {
            MList l = (MList) parent;
            int ix = path.index(last);
            v = ix < l.originalSize ? l.items.get(ix) : l.appended.get(ix);
        }
        return v == null || v == REMOVED ? null : build(v);
    }

    void set(Path path, AttributeValue value) {
        Object parent = parentOf(path);
        int last = path.size() - 1;
        if (parent instanceof MMap m) {
            m.entries.put(path.name(last), value);
        } else {
            MList l = (MList) parent;
            int ix = path.index(last);
            if (ix < l.originalSize) l.items.set(ix, value);
            else l.appended.put(ix, value);
        }
    }

    void remove(Path path) {
        Object parent = parentOf(path);
        int last = path.size() - 1;
        if (parent instanceof MMap m) {
            m.entries.remove(path.name(last));
        } else {
            MList l = (MList) parent;
            int ix = path.index(last);
            if (ix < l.originalSize) l.items.set(ix, REMOVED);
            else l.appended.remove(ix);
        }
    }

    /** The updated item. */
    Map<String, AttributeValue> item() {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        root.entries.forEach((k, v) -> out.put(k, build(v)));
        return out;
    }

    private static AttributeValue build(Object o) {
        if (o instanceof AttributeValue v) return v;
        if (o instanceof MMap m) {
            Map<String, AttributeValue> out = new LinkedHashMap<>();
            m.entries.forEach((k, v) -> out.put(k, build(v)));
            return AttributeValue.m(out);
        }
        MList l = (MList) o;
        List<AttributeValue> out = new ArrayList<>(l.items.size() + l.appended.size());
        for (Object x : l.items) if (x != REMOVED) out.add(build(x));
        for (Object x : l.appended.values()) out.add(build(x));
        return AttributeValue.l(out);
    }
}
