package org.erasurerouter.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StepTimesTest {

    private static String page(double intakeSeconds, double intakeCount, double lookupSeconds, double lookupCount) {
        return """
                # TYPE camel_route_policy_seconds summary
                camel_route_policy_seconds_count{camelContext="erasure-router",eventType="context",failed="false",routeId="",serviceName="MicrometerRoutePolicyService"} 99
                camel_route_policy_seconds_sum{camelContext="erasure-router",eventType="context",failed="false",routeId="",serviceName="MicrometerRoutePolicyService"} 999.0
                camel_route_policy_seconds_count{camelContext="erasure-router",eventType="route",failed="false",routeId="intake",serviceName="MicrometerRoutePolicyService"} %s
                camel_route_policy_seconds_sum{camelContext="erasure-router",eventType="route",failed="false",routeId="intake",serviceName="MicrometerRoutePolicyService"} %s
                camel_route_policy_seconds_count{camelContext="erasure-router",eventType="route",failed="true",routeId="intake",serviceName="MicrometerRoutePolicyService"} 1
                camel_route_policy_seconds_sum{camelContext="erasure-router",eventType="route",failed="true",routeId="intake",serviceName="MicrometerRoutePolicyService"} 0.5
                camel_route_policy_seconds_count{camelContext="erasure-router",eventType="route",failed="false",routeId="check-redis",serviceName="MicrometerRoutePolicyService"} 7
                camel_route_policy_seconds_sum{camelContext="erasure-router",eventType="route",failed="false",routeId="check-redis",serviceName="MicrometerRoutePolicyService"} 0.7
                camel_message_history_seconds_count{camelContext="erasure-router",nodeId="read-page-hierarchies",routeId="rewrite-in-cassandra",serviceName="MicrometerMessageHistoryService"} %s
                camel_message_history_seconds_sum{camelContext="erasure-router",nodeId="read-page-hierarchies",routeId="rewrite-in-cassandra",serviceName="MicrometerMessageHistoryService"} %s
                camel_message_history_seconds_max{camelContext="erasure-router",nodeId="read-page-hierarchies",routeId="rewrite-in-cassandra",serviceName="MicrometerMessageHistoryService"} 0.2
                """.formatted(intakeCount, intakeSeconds, lookupCount, lookupSeconds);
    }

    @Test
    void countsEachRouteAndStepOfTheMeasuredPhaseOnlyWithFailedExchangesIncludedAndTheHealthChecksLeftOut() {
        StepTimes warmedUp = StepTimes.of(page(10.0, 100, 4.0, 20));
        StepTimes measured = StepTimes.of(page(25.0, 250, 7.0, 30)).since(warmedUp);

        assertEquals(Map.of("intake", new StepTimes.Step(15.0, 150)), measured.routes());
        assertEquals(Map.of("rewrite-in-cassandra/read-page-hierarchies", new StepTimes.Step(3.0, 10)), measured.steps());
    }

    @Test
    void leavesOutWhatTookNoExchangeInTheMeasuredPhase() {
        StepTimes warmedUp = StepTimes.of(page(10.0, 100, 4.0, 20));

        assertEquals(Map.of(), StepTimes.of(page(10.0, 100, 4.0, 20)).since(warmedUp).routes());
        assertEquals(Map.of(), StepTimes.of(page(10.0, 100, 4.0, 20)).since(warmedUp).steps());
    }
}
