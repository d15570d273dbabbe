package org.erasurerouter.observe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of the routes folder that never leaves the runtime without a working route. Only the routes of the edited
 * file are replaced (one at a time, in-flight exchanges finishing first), so routes of other files and routes made from
 * templates keep running. When the edited file does not parse, or one of its routes fails to start, every route it
 * replaced is put back as it was and the failure is reported: an ERROR line, the {@code routes-reload} health check's
 * details and the {@code erasure.routes.reloads{outcome="failed"}} counter.
 */
public class SafeRouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SafeRouteReload.class);

    private final ErasureMetrics metrics;
    private volatile String lastFile = "";
    private volatile String lastFailure = "";

    public SafeRouteReload(String directory, String pattern, ErasureMetrics metrics) {
        super(directory, false);
        this.metrics = metrics;
        setPattern(pattern);
        setRemoveAllRoutes(false);
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        CamelContext context = getCamelContext();
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        Map<String, RouteDefinition> before = new LinkedHashMap<>();
        Map<String, ServiceStatus> statuses = new LinkedHashMap<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            before.put(route.getRouteId(), route);
            statuses.put(route.getRouteId(), context.getRouteController().getRouteStatus(route.getRouteId()));
        }
        String files = resources == null ? "(all)" : resources.stream().map(Resource::getLocation).collect(Collectors.joining(", "));
        try {
            super.onRouteReload(resources, removeEverything);
            lastFile = files;
            lastFailure = "";
            metrics.routesReload("reloaded");
        } catch (RuntimeException e) {
            List<String> restored = restore(model, before, statuses);
            String reason = reason(e);
            lastFile = files;
            lastFailure = reason;
            metrics.routesReload("failed");
            LOG.error("Routes file {} was NOT reloaded, the routes running before are kept ({}): {}", files,
                    restored.isEmpty() ? "none was touched" : "restored: " + String.join(", ", restored), reason);
        }
    }

    /** Puts back every route the failed reload replaced or stopped, and removes the routes it added. */
    private List<String> restore(Model model, Map<String, RouteDefinition> before, Map<String, ServiceStatus> statuses) {
        CamelContext context = getCamelContext();
        List<String> restored = new ArrayList<>();
        try {
            for (RouteDefinition added : List.copyOf(model.getRouteDefinitions())) {
                if (!before.containsKey(added.getRouteId())) {
                    model.removeRouteDefinition(added);
                }
            }
            List<RouteDefinition> putBack = new ArrayList<>();
            before.forEach((id, definition) -> {
                boolean replaced = model.getRouteDefinition(id) != definition;
                if (replaced || context.getRouteController().getRouteStatus(id) != statuses.get(id)) {
                    putBack.add(definition);
                    restored.add(id);
                }
            });
            model.addRouteDefinitions(putBack);
        } catch (Exception e) {
            LOG.error("Routes could not be restored after a failed reload: {}", reason(e), e);
        }
        return restored;
    }

    private static String reason(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 4; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && messages.stream().noneMatch(m -> m.contains(message.strip()))) {
                messages.add(message.strip());
            }
        }
        return String.join(" | caused by: ", messages);
    }

    /** The outcome of the latest reload, as a health check that stays UP: the routes running before keep serving. */
    public AbstractHealthCheck healthCheck() {
        return new AbstractHealthCheck("erasure", "routes-reload") {
            @Override
            public boolean isLiveness() {
                return false;
            }

            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.up();
                builder.detail("folder", getFolder());
                if (!lastFile.isEmpty()) {
                    builder.detail("last.file", lastFile);
                    builder.detail("last.outcome", lastFailure.isEmpty() ? "reloaded" : "failed");
                }
                if (!lastFailure.isEmpty()) {
                    builder.message("last reload failed, previous routes kept: " + lastFailure);
                }
            }
        };
    }
}
