package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.erasurerouter.servers.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several instances in one consumer group, and an instance killed mid-stream: every event is completed exactly once. */
@ExtendWith(RealServers.class)
class ScaleOutAndCrashIT {
    private static final Duration WAIT = Duration.ofSeconds(150);

    @Test
    void twoInstancesInOneConsumerGroupShareTheEventsAndApplyEachExactlyOnce() throws Exception {
        String run = "scale-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = "delete.user." + run;
        createTopic(topic, 4);
        Map<String, String> settings = settings(topic, run);
        try (RunningRouter first = RunningRouter.start(settings);
             RunningRouter second = RunningRouter.start(settings);
             DeletionEvents events = DeletionEvents.producer()) {
            awaitGroupMembers(run, 2);
            NotifyBuilder firstWorked = new NotifyBuilder(first.context()).fromRoute("intake").whenCompleted(1).create();
            NotifyBuilder secondWorked = new NotifyBuilder(second.context()).fromRoute("intake").whenCompleted(1).create();

            int count = 40;
            for (int i = 0; i < count; i++) {
                String userId = "u-" + run + "-" + i;
                events.publish(topic, userId, DeletionEvents.deleteUser(userId, "Scale Test " + i, "org-1"));
            }

            awaitDone(run, count);
            assertTrue(firstWorked.matches(1, TimeUnit.SECONDS), "the first instance carried out some of the events");
            assertTrue(secondWorked.matches(1, TimeUnit.SECONDS), "the second instance carried out some of the events");
            Map<String, Integer> ledger = ledgerFigures(run);
            assertEquals(count, ledger.get("requests"));
            assertEquals(1, ledger.get("maxDeliveries"), "no event was carried out twice");
            assertEquals(1, ledger.get("maxAttempts"), "no store's work was applied twice");
            assertEquals(count, ledger.get("remembered"), "each request is remembered once by the shared idempotent repository");
        }
    }

    @Test
    void aRuntimeKilledMidStreamAndRestartedEndsWithEveryEventCompletedExactlyOnce() throws Exception {
        String run = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = "delete.user." + run;
        createTopic(topic, 2);
        Map<String, String> settings = settings(topic, run);
        int count = 120;
        List<String> names = new ArrayList<>();
        try (SunbirdContent content = new SunbirdContent(RealServers.get()); DeletionEvents events = DeletionEvents.producer()) {
            for (int i = 0; i < count; i++) {
                String userId = "u-" + run + "-" + i;
                String name = "Crash Test " + UUID.randomUUID().toString().substring(0, 8);
                if (i % 30 == 0) {
                    content.seedCreator("do_" + run.replace("-", "") + "_" + i, userId, name);
                    names.add(name);
                }
                events.publish(topic, userId, DeletionEvents.deleteUser(userId, name, "org-1"));
            }

            Process doomed = RunningRouter.startChild(settings, run);
            int finishedAtKill;
            try {
                finishedAtKill = awaitFinishedAtLeast(run, 5, doomed);
            } finally {
                doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // SIGKILL: no shutdown hook, no commit
            }
            assertTrue(finishedAtKill < count, "the runtime was killed mid-stream (" + finishedAtKill + " of " + count + " finished)");

            try (RunningRouter restarted = RunningRouter.start(settings)) {
                awaitDone(run, count);
            }
            Map<String, Integer> ledger = ledgerFigures(run);
            assertEquals(count, ledger.get("requests"), "every event has exactly one ledger entry");
            assertEquals(count, ledger.get("done"), "every event completed");
            assertEquals(count, ledger.get("remembered"), "each request is remembered once by the idempotent repository");
            for (String name : names) {
                assertEquals(Map.of("cassandra", 0L, "elasticsearch", 0L, "neo4j", 0L, "redis", 0L), content.copiesOfName(name));
            }
            System.out.printf("[crash] killed after %d of %d finished; %d request(s) were delivered again after the restart%n",
                    finishedAtKill, count, ledger.get("redelivered"));
        }
    }

    private static Map<String, String> settings(String topic, String run) {
        Map<String, String> s = new HashMap<>();
        s.put("erasure.kafka.topics", topic);
        s.put("erasure.kafka.dead-letter-topic", topic + ".dlq");
        s.put("erasure.kafka.group-id", run);
        s.put("erasure.kafka.session-timeout-ms", "6000");
        // the killed runtime's content batch is claimed again this long after it claimed it (longer than a batch takes)
        s.put("erasure.content.batch-recovery-interval-ms", "10000");
        return s;
    }

    private static int awaitFinishedAtLeast(String run, int finished, Process child) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            int now = ledgerFigures(run).get("finished");
            if (now >= finished) {
                return now;
            }
            if (!child.isAlive()) {
                throw new AssertionError("the child runtime exited early with " + child.exitValue());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the child runtime finished fewer than " + finished + " events within " + WAIT);
    }

    private static void awaitDone(String run, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ledgerFigures(run).get("done") < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within " + WAIT + " the ledger shows " + ledgerFigures(run));
            }
            Thread.sleep(200);
        }
    }

    private static Map<String, Integer> ledgerFigures(String run) throws Exception {
        try {
            return queryLedgerFigures(run);
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) {   // no ledger table yet: the runtime has not started
                return Map.of("requests", 0, "done", 0, "finished", 0, "maxDeliveries", 0, "redelivered", 0, "maxAttempts", 0, "remembered", 0);
            }
            throw e;
        }
    }

    private static Map<String, Integer> queryLedgerFigures(String run) throws Exception {
        try (Connection db = DriverManager.getConnection(RealServers.get().jdbcUrl(), "postgres", "postgres");
             var ps = db.prepareStatement("""
                     SELECT count(*),
                            count(*) FILTER (WHERE status = 'DONE'),
                            count(*) FILTER (WHERE finished_at IS NOT NULL),
                            coalesce(max(deliveries), 0),
                            count(*) FILTER (WHERE deliveries > 1),
                            coalesce((SELECT max(attempts) FROM erasure_store s WHERE s.request_id IN
                                      (SELECT request_id FROM erasure_request WHERE user_id LIKE ?)), 0),
                            (SELECT count(*) FROM camel_messageprocessed WHERE messageid LIKE ?)
                       FROM erasure_request WHERE user_id LIKE ?""")) {
            String pattern = "u-" + run + "-%";
            ps.setString(1, pattern);
            ps.setString(2, "LP.%.u-" + run + "-%");
            ps.setString(3, pattern);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Map.of("requests", rs.getInt(1), "done", rs.getInt(2), "finished", rs.getInt(3), "maxDeliveries", rs.getInt(4),
                        "redelivered", rs.getInt(5), "maxAttempts", rs.getInt(6), "remembered", rs.getInt(7));
            }
        }
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private static void awaitGroupMembers(String group, int members) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, RealServers.get().kafkaBootstrap()))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                long assigned = description.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
                if (assigned >= members && "Stable".equalsIgnoreCase(description.state().toString())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the group did not settle with " + members + " members: " + description);
                }
                Thread.sleep(200);
            }
        }
    }
}
