package org.erasurerouter;

import org.apache.camel.main.Main;

/** Entry point: Camel Main running the YAML routes in {@code routes/} with {@code application.properties}. */
public final class ErasureRouter {

    private ErasureRouter() {}

    public static void main(String[] args) throws Exception {
        try {
            newMain().run(args);
        } catch (Exception e) {
            InvalidSettingException invalid = InvalidSettingException.findIn(e);
            if (invalid == null) {
                throw e;
            }
            System.err.println("Erasure Router cannot start: " + invalid.getMessage());
            System.exit(2);
        }
    }

    /**
     * The runtime as production runs it. Settings are read, later files winning, from: {@code application.properties}
     * in the working directory (or the file named by {@code ERASURE_CONFIG}); {@code application-<profile>.properties}
     * beside it when a profile is chosen ({@code ERASURE_PROFILE}, e.g. staging); and the secrets file named by
     * {@code ERASURE_SECRETS_FILE} (default {@code /run/secrets/erasure.properties}) when it exists. Each is also a
     * system property ({@code -Derasure.config} …).
     */
    public static Main newMain() {
        Main main = new Main(RouterConfiguration.class);
        main.setPropertyPlaceholderLocations(String.join(",", configLocations()));
        main.addMainListener(new SettingsCheck());
        return main;
    }

    static java.util.List<String> configLocations() {
        String config = setting("erasure.config", "ERASURE_CONFIG", "application.properties");
        java.util.List<String> locations = new java.util.ArrayList<>(java.util.List.of("file:" + config));
        String profile = setting("erasure.profile", "ERASURE_PROFILE", "");
        if (!profile.isBlank()) {
            java.nio.file.Path base = java.nio.file.Path.of(config).toAbsolutePath().getParent();
            locations.add("file:" + base.resolve("application-" + profile.trim() + ".properties"));
        }
        locations.add("file:" + setting("erasure.secrets-file", "ERASURE_SECRETS_FILE", "/run/secrets/erasure.properties") + ";optional=true");
        return locations;
    }

    private static String setting(String property, String variable, String fallback) {
        return System.getProperty(property, System.getenv().getOrDefault(variable, fallback));
    }
}
