package io.herald.local.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads CloudFormation YAML: the short intrinsic tags ({@code !Ref X}, {@code !Sub ...},
 * {@code !GetAtt A.B}, {@code !If [...]}) become their long JSON forms ({@code {"Ref": "X"}}).
 */
final class CfnYaml {
    private static final String[] FUNCTIONS = {"Ref", "Sub", "GetAtt", "If", "Equals", "Not", "And", "Or", "Join",
            "Select", "Split", "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue", "Condition"};

    private CfnYaml() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        Yaml yaml = new Yaml(new Constructor(options));
        Object root = yaml.load(text);
        if (!(root instanceof Map)) throw new IllegalArgumentException("template is not a YAML mapping");
        return (Map<String, Object>) root;
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            for (String fn : FUNCTIONS) yamlConstructors.put(new Tag("!" + fn), new Intrinsic(fn));
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String name;

            Intrinsic(String name) {
                this.name = name;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode s) {
                    value = name.equals("GetAtt") ? List.of(s.getValue().split("\\.", 2)) : s.getValue();
                } else if (node instanceof SequenceNode q) {
                    List<Object> items = new ArrayList<>();
                    for (Node n : q.getValue()) items.add(constructObject(n));
                    value = items;
                } else {
                    value = constructMapping((MappingNode) node);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put(name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name, value);
                return out;
            }
        }
    }
}
