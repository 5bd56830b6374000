package io.herald.local.vtl;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.velocity.Template;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;
import org.apache.velocity.runtime.RuntimeInstance;
import org.apache.velocity.runtime.parser.ParseException;
import org.apache.velocity.runtime.parser.node.ASTDirective;
import org.apache.velocity.runtime.parser.node.ASTMethod;
import org.apache.velocity.runtime.parser.node.ASTReference;
import org.apache.velocity.runtime.parser.node.ASTSetDirective;
import org.apache.velocity.runtime.parser.node.ASTStringLiteral;
import org.apache.velocity.runtime.parser.node.Node;

/**
 * One mapping template, parsed and checked once (at start) and rendered per message. API
 * Gateway's templates are Velocity; so is this, configured as Velocity 1.7 behaved (whitespace
 * kept as written), with API Gateway's variables only: a template that names another variable, an
 * {@code $input} or {@code $util} function API Gateway does not have, or one the local stack does
 * not implement, is refused with its place named.
 */
public final class MappingTemplate {
    private static final Set<String> INPUT = Set.of("json", "path", "body");
    private static final Set<String> UTIL = Set.of("escapeJavaScript", "parseJson", "urlEncode", "urlDecode",
            "base64Encode", "base64Decode");
    private static final Set<String> ROOTS = Set.of("context", "input", "util", "stageVariables");
    private static final RuntimeInstance VELOCITY = velocity();

    private final Template template;

    private MappingTemplate(Template template) {
        this.template = template;
    }

    private static RuntimeInstance velocity() {
        RuntimeInstance ri = new RuntimeInstance();
        ri.setProperty("space.gobbling", "bc"); // Velocity 1.7's whitespace, as API Gateway's templates render
        ri.init();
        return ri;
    }

    /**
     * @param where   the template's place, for messages: resource and property
     * @throws IllegalStateException naming {@code where} when the template does not parse or uses
     *     what is not supported
     */
    public static MappingTemplate compile(String where, String source) {
        Template t = new Template();
        t.setName(where);
        t.setRuntimeServices(VELOCITY);
        try {
            t.setData(VELOCITY.parse(new StringReader(source), t));
        } catch (ParseException e) {
            throw new IllegalStateException(where + ": not a valid mapping template: " + e.getMessage().lines().findFirst().orElse(""));
        }
        t.initDocument(); // resolves names; references stay unbound until rendered
        Node root = (Node) t.getData();
        Set<String> locals = new HashSet<>();
        collectLocals(root, locals);
        check(where, root, locals);
        return new MappingTemplate(t);
    }

    /** Variables a template makes itself: #set targets and #foreach items. */
    private static void collectLocals(Node n, Set<String> locals) {
        if (n instanceof ASTSetDirective && n.jjtGetNumChildren() > 0 && n.jjtGetChild(0) instanceof ASTReference r) {
            locals.add(root(r));
        }
        if (n instanceof ASTDirective d && "foreach".equals(d.getDirectiveName()) && n.jjtGetChild(0) instanceof ASTReference r) {
            locals.add(root(r));
            locals.add("foreach");
        }
        for (int i = 0; i < n.jjtGetNumChildren(); i++) collectLocals(n.jjtGetChild(i), locals);
    }

    /** A reference's variable name (known once the document is initialized). */
    private static String root(ASTReference r) {
        return r.getRootString();
    }

    /** The JSONPath literals of $input.json / $input.path, checked before the first message. */
    private static void checkPaths(String where, Node n) {
        for (int i = 0; i < n.jjtGetNumChildren(); i++) {
            Node child = n.jjtGetChild(i);
            if (child instanceof ASTStringLiteral lit) {
                String text = lit.literal().trim();
                if (text.length() >= 2 && (text.charAt(0) == '\'' || text.charAt(0) == '"')) text = text.substring(1, text.length() - 1);
                try {
                    JsonPath.steps(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(where + ": " + e.getMessage() + " (line " + n.getLine() + ")");
                }
            } else {
                checkPaths(where, child);
            }
        }
    }

    private static void check(String where, Node n, Set<String> locals) {
        if (n instanceof ASTReference r) {
            String root = root(r);
            if (!ROOTS.contains(root) && !locals.contains(root)) {
                throw new IllegalStateException(where + ": $" + root + " (line " + n.getLine()
                        + ") is not a variable of API Gateway's mapping templates ($context, $input, $util, $stageVariables)");
            }
            if ((root.equals("input") || root.equals("util")) && n.jjtGetNumChildren() > 0) {
                Node first = n.jjtGetChild(0);
                String name = first instanceof ASTMethod m ? m.getMethodName() : first.literal().replaceFirst("^\\.", "");
                Set<String> known = root.equals("input") ? INPUT : UTIL;
                if (!known.contains(name)) {
                    throw new IllegalStateException(where + ": $" + root + "." + name + " (line " + n.getLine()
                            + ") is not emulated by the local stack (" + known.stream().sorted().map(k -> "$" + root + "." + k)
                            .reduce((a, b) -> a + ", " + b).orElse("") + " are)");
                }
                if (first instanceof ASTMethod m && (name.equals("json") || name.equals("path"))) checkPaths(where, m);
            }
        }
        if (n instanceof ASTDirective d && !Set.of("foreach", "if", "else", "elseif", "set", "break", "stop")
                .contains(d.getDirectiveName())) {
            throw new IllegalStateException(where + ": #" + d.getDirectiveName() + " (line " + n.getLine()
                    + ") is not emulated by the local stack");
        }
        for (int i = 0; i < n.jjtGetNumChildren(); i++) check(where, n.jjtGetChild(i), locals);
    }

    /**
     * Renders with these variables; a reference to nothing renders empty, as on API Gateway.
     *
     * @param context        {@code $context}: the request context (nested maps)
     * @param stageVariables {@code $stageVariables}
     * @param body           the message, for {@code $input}
     */
    public String render(Map<String, Object> context, Map<String, String> stageVariables, String body) {
        VelocityContext vc = new VelocityContext();
        vc.put("context", context);
        vc.put("stageVariables", stageVariables);
        vc.put("input", new VtlInput(body));
        vc.put("util", VtlUtil.INSTANCE);
        EventCartridge ec = new EventCartridge();
        ec.addEventHandler((ReferenceInsertionEventHandler) (ctx, reference, value) -> value == null ? "" : value);
        ec.attachToContext(vc);
        StringWriter out = new StringWriter();
        template.merge(vc, out);
        return out.toString();
    }
}
