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
}
