package org.erasurerouter.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time the runtime spent in each route, and in each step of a route when its message history is timed
 * ({@code camel.metrics.enableMessageHistory}, off in production: a timer per step of every exchange), as its metrics
 * page counts them. Read before and after the measured phase, so that {@link #since} is that phase's alone, the
 * warm-up left out. A step's time includes the routes it calls, and the parts of a parallel split overlap, so one
 * route's steps may add up to more than the route.
 */
record StepTimes(Map<String, Step> routes, Map<String, Step> steps) {

    /** A route's or a step's time in all and the exchanges it took. */
    record Step(double seconds, double exchanges) {
        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("seconds", seconds);
            json.put("exchanges", exchanges);
            return json;
        }
    }

    private static final Pattern TIMER = Pattern.compile(
            "^camel_(route_policy|message_history)_seconds_(sum|count)\\{([^}]*)} (\\S+)$");
    private static final Pattern ROUTE = Pattern.compile("routeId=\"([^\"]*)\"");
    private static final Pattern NODE = Pattern.compile("nodeId=\"([^\"]*)\"");

    /** The timers of a Prometheus metrics page: routes by id, steps as {@code route/step}. */
    static StepTimes of(String metricsPage) {
        Map<String, double[]> routes = new TreeMap<>();
        Map<String, double[]> steps = new TreeMap<>();
        metricsPage.lines().map(TIMER::matcher).filter(Matcher::matches).forEach(timer -> {
            Matcher route = ROUTE.matcher(timer.group(3));
            if (!route.find() || route.group(1).isEmpty()) {
                return;  // the context's own timer
            }
            boolean step = timer.group(1).equals("message_history");
            Matcher node = NODE.matcher(timer.group(3));
            if (step && !node.find()) {
                return;
            }
            String key = step ? route.group(1) + "/" + node.group(1) : route.group(1);
            double[] figures = (step ? steps : routes).computeIfAbsent(key, k -> new double[2]);
            figures[timer.group(2).equals("sum") ? 0 : 1] += Double.parseDouble(timer.group(4));
        });
        return new StepTimes(steps(routes), steps(steps));
    }

    /** What each route and step took since {@code before}; the health checks' and those that took no exchange left out. */
    StepTimes since(StepTimes before) {
        return new StepTimes(minus(routes, before.routes), minus(steps, before.steps));
    }

    /** For the JSON: each route or step as its seconds and exchanges. */
    static Map<String, Object> json(Map<String, Step> times) {
        Map<String, Object> json = new TreeMap<>();
        times.forEach((key, step) -> json.put(key, step.json()));
        return json;
    }

    private static Map<String, Step> steps(Map<String, double[]> figures) {
        Map<String, Step> steps = new TreeMap<>();
        figures.forEach((key, f) -> steps.put(key, new Step(f[0], f[1])));
        return steps;
    }

    private static Map<String, Step> minus(Map<String, Step> after, Map<String, Step> before) {
        Map<String, Step> since = new TreeMap<>();
        after.forEach((key, step) -> {
            Step was = before.getOrDefault(key, new Step(0, 0));
            // the health checks' routes run on their own schedule, not for the deletions
            if (step.exchanges() > was.exchanges() && !key.startsWith("check-")) {
                since.put(key, new Step(step.seconds() - was.seconds(), step.exchanges() - was.exchanges()));
            }
        });
        return since;
    }
}
