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
     * The runtime as production runs it. A setting is taken from, in this order: the environment or a system property
     * (Camel's override); the secrets file named by {@code ERASURE_SECRETS_FILE} (default {@code
     * /run/secrets/erasure.properties}) when it exists; {@code application-<profile>.properties} when a profile is
     * chosen ({@code ERASURE_PROFILE}, e.g. staging); {@code application.properties} in the working directory (or the
     * file named by {@code ERASURE_CONFIG}). Each of these three is also a system property ({@code -Derasure.config} …).
     */
    public static Main newMain() {
        Main main = new Main(RouterConfiguration.class);
        main.setPropertyPlaceholderLocations(String.join(",", configLocations()));
        main.addMainListener(new SettingsCheck());
        return main;
    }

    /** The settings files, the one that wins first: Camel answers a key from the first location that has it. */
    static java.util.List<String> configLocations() {
        String config = setting("erasure.config", "ERASURE_CONFIG", "application.properties");
        java.util.List<String> locations = new java.util.ArrayList<>();
        locations.add("file:" + setting("erasure.secrets-file", "ERASURE_SECRETS_FILE", "/run/secrets/erasure.properties") + ";optional=true");
        String profile = setting("erasure.profile", "ERASURE_PROFILE", "");
        if (!profile.isBlank()) {
            java.nio.file.Path base = java.nio.file.Path.of(config).toAbsolutePath().getParent();
            locations.add("file:" + base.resolve("application-" + profile.trim() + ".properties"));
        }
        locations.add("file:" + config);
        return locations;
    }

    private static String setting(String property, String variable, String fallback) {
        return System.getProperty(property, System.getenv().getOrDefault(variable, fallback));
    }
}
