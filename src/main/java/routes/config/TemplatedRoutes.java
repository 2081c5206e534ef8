package routes.config;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;

/**
 * Routes made from a YAML route template (api.yaml's admin resources) get two things Camel 4.18 gives only routes
 * written out. The file they come from ({@code RouteDefinition.getResource()}, which RoutePoliciesTest and Camel's route
 * dumps read): Camel sets it neither on a template nor on a route made from one, and clears whatever the template's
 * converter sets when it prepares the route, so the file goes template → route → model, one step per hook. And a
 * description with the template's {@code {{parameters}}} filled in: Camel fills them in the steps, not in the
 * description JMX and Hawtio show.
 */
final class TemplatedRoutes implements RouteBuilderLifecycleStrategy, ModelLifecycleStrategy {

    /** Routes made from a template and not yet in the model, with their template's file. */
    private final Map<RouteDefinition, Resource> files = Collections.synchronizedMap(new IdentityHashMap<>());

    private TemplatedRoutes() {}

    /** Before any route file is loaded. */
    static void install(CamelContext context) {
        TemplatedRoutes routes = new TemplatedRoutes();
        // Every route builder (one a file) finds it in the registry and calls afterConfigure with its file.
        context.getRegistry().bind("templatedRoutes", routes);
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        model.addRouteTemplateDefinitionConverter("*", routes::route);
        model.addModelLifecycleStrategy(routes);
    }

    @Override
    public void afterConfigure(RouteBuilder builder) {
        builder.getRouteTemplateCollection()
                .getRouteTemplates()
                .forEach(template -> template.setResource(builder.getResource()));
    }

    /** The route a templatedRoute makes: Camel's own, with its description filled in. */
    private RouteDefinition route(RouteTemplateDefinition template, Map<String, Object> parameters) {
        RouteDefinition route = template.asRouteDefinition();
        if (template.getResource() != null) {
            files.put(route, template.getResource());
        }
        String description = route.getDescription();
        if (description != null) {
            for (var parameter : parameters.entrySet()) {
                description =
                        description.replace("{{" + parameter.getKey() + "}}", String.valueOf(parameter.getValue()));
            }
            route.setDescription(description);
        }
        return route;
    }

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        Resource file = files.remove(route);
        if (file != null) {
            route.setResource(file);
        }
    }

    @Override
    public void onRemoveRouteDefinition(RouteDefinition route) {}

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {}

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {}
}
