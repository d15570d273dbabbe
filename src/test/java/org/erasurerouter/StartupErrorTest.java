package org.erasurerouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime, started as an operator starts it, refuses a bad configuration with one clear line. */
class StartupErrorTest {
    @TempDir
    Path workDir;

    record Outcome(int exitCode, List<String> errorLines) {}

    Outcome startRuntime(String applicationProperties, Map<String, String> environment) throws Exception {
        Files.writeString(workDir.resolve("application.properties"), applicationProperties);
        Files.createDirectories(workDir.resolve("routes"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ErasureRouter.class.getName())
                .directory(workDir.toFile());
        // secrets come from the environment, as in production (application.properties holds none)
        pb.environment().put("ERASURE_S3_ACCESS_KEY", "test-access-key");
        pb.environment().put("ERASURE_S3_SECRET_KEY", "test-secret-key");
        pb.environment().putAll(environment);
        Process p = pb.start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the runtime stopped by itself");
        return new Outcome(p.exitValue(), stderr.lines().filter(l -> !l.isBlank()).toList());
    }

    static String shippedPropertiesWithout(String key) throws Exception {
        return Files.readAllLines(Path.of("application.properties")).stream()
                .filter(l -> !l.startsWith(key + " ") && !l.startsWith(key + "="))
                .reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void aMissingSettingStopsStartUpWithOneLineNamingIt() throws Exception {
        Outcome outcome = startRuntime(shippedPropertiesWithout("erasure.jdbc.url"), Map.of());
        assertEquals(2, outcome.exitCode());
        assertEquals(List.of("Erasure Router cannot start: erasure.jdbc.url is missing (application.properties or ERASURE_JDBC_URL)"),
                outcome.errorLines());
    }

    @Test
    void anEnvironmentVariableOverridesTheFileAndIsCheckedToo() throws Exception {
        Outcome outcome = startRuntime(shippedPropertiesWithout("no.such.key"), Map.of("ERASURE_REDIS_PORT", "not-a-port"));
        assertEquals(2, outcome.exitCode());
        assertEquals(List.of("Erasure Router cannot start: erasure.redis.port is invalid: expected a port number (1-65535) "
                + "but got 'not-a-port' (application.properties or ERASURE_REDIS_PORT)"), outcome.errorLines());
    }

    @Test
    void anUnknownStoreStopsStartUpNamingTheStoresItKnows() throws Exception {
        Outcome outcome = startRuntime(shippedPropertiesWithout("no.such.key"), Map.of("ERASURE_STORES", "neo4j,mongodb"));
        assertEquals(2, outcome.exitCode());
        assertEquals(List.of("Erasure Router cannot start: erasure.stores is invalid: unknown store 'mongodb'; the stores are"
                + " neo4j, cassandra, elasticsearch, redis, jdbc (application.properties or ERASURE_STORES)"), outcome.errorLines());
    }

    @Test
    void aMaskingStrategyItDoesNotKnowStopsStartUp() throws Exception {
        Outcome outcome = startRuntime(shippedPropertiesWithout("erasure.pii.fields.createdBy")
                + "erasure.pii.fields.createdBy = creator:scramble\n", Map.of());
        assertEquals(2, outcome.exitCode());
        assertEquals(List.of("Erasure Router cannot start: erasure.pii.fields is invalid: unknown masking strategy 'scramble'"
                + " for target field 'creator' of search key 'createdBy'; expected replace, null or hash"), outcome.errorLines());
    }

    @Test
    void theHashStrategyWithoutItsSecretStopsStartUp() throws Exception {
        Outcome outcome = startRuntime(shippedPropertiesWithout("erasure.pii.fields.createdBy")
                + "erasure.pii.fields.createdBy = creator:hash\n", Map.of());
        assertEquals(2, outcome.exitCode());
        assertEquals(List.of("Erasure Router cannot start: erasure.pii.fields is invalid: target field 'creator' of search key"
                + " 'createdBy' uses the hash strategy, but no HMAC secret is configured (set erasure.pii.hash-secret, e.g. with"
                + " ERASURE_PII_HASH_SECRET)"), outcome.errorLines());
    }

    @Test
    void readsTheSecretsFileAfterTheProfileAfterApplicationProperties() throws Exception {
        Files.writeString(workDir.resolve("application-staging.properties"), "erasure.redis.port = from-the-profile\n"
                + "erasure.cassandra.port = from-the-profile\n");
        Path secrets = Files.writeString(workDir.resolve("secrets.properties"), "erasure.cassandra.port = from-the-secrets-file\n");
        Outcome outcome = startRuntime(shippedPropertiesWithout("no.such.key"),
                Map.of("ERASURE_PROFILE", "staging", "ERASURE_SECRETS_FILE", secrets.toString()));
        assertEquals(2, outcome.exitCode());
        assertEquals(List.of("Erasure Router cannot start: erasure.cassandra.port is invalid: expected a port number (1-65535) but"
                + " got 'from-the-secrets-file' (application.properties or ERASURE_CASSANDRA_PORT); erasure.redis.port is invalid:"
                + " expected a port number (1-65535) but got 'from-the-profile' (application.properties or ERASURE_REDIS_PORT)"),
                outcome.errorLines());
    }
}
