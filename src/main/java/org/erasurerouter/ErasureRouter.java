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
     * The runtime as production runs it. The configuration file is {@code application.properties} in the working
     * directory, or the file named by {@code ERASURE_CONFIG} / {@code -Derasure.config}.
     */
    public static Main newMain() {
        Main main = new Main(RouterConfiguration.class);
        String config = System.getProperty("erasure.config", System.getenv().getOrDefault("ERASURE_CONFIG", "application.properties"));
        main.setPropertyPlaceholderLocations("file:" + config);
        main.addMainListener(new SettingsCheck());
        return main;
    }
}
