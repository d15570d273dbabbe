package org.erasurerouter.servers;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs a single Elasticsearch 9 node inside a child JDK 21+ JVM with the server jars on the module path. It uses
 * reflection only because this class is compiled for Java 17, which cannot read ES 9 class files; it bypasses the
 * server's bootstrap, which needs the unpublished entitlement agent and refuses root. Arguments: esHome dataDir httpPort.
 */
public final class EsNodeMain {
    public static void main(String[] args) throws Throwable {
        Path home = Path.of(args[0]).toAbsolutePath();
        Path data = Path.of(args[1]).toAbsolutePath();
        Class<?> settingsClass = Class.forName("org.elasticsearch.common.settings.Settings");
        Object builder = settingsClass.getMethod("builder").invoke(null);
        Method put = builder.getClass().getMethod("put", String.class, String.class);
        Map<String, String> s = new LinkedHashMap<>();
        s.put("path.home", home.toString());
        s.put("path.data", data.resolve("data").toString());
        s.put("path.logs", data.resolve("logs").toString());
        s.put("cluster.name", "erasure-it");
        s.put("node.name", "erasure-it-node");
        s.put("discovery.type", "single-node");          // with loopback: bootstrap checks not enforced
        s.put("network.host", "127.0.0.1");
        s.put("http.port", args[2]);
        s.put("transport.port", "0");
        s.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        s.put("logger.level", "WARN");
        for (Map.Entry<String, String> e : s.entrySet()) {
            put.invoke(builder, e.getKey(), e.getValue());
        }
        Object settings = builder.getClass().getMethod("build").invoke(builder);
        Class.forName("org.elasticsearch.common.logging.LogConfigurator").getMethod("configureWithoutConfig", settingsClass).invoke(null, settings);

        Class<?> envClass = Class.forName("org.elasticsearch.env.Environment");
        Object env = envClass.getConstructor(settingsClass, Path.class).newInstance(settings, home.resolve("config"));
        Class<?> loaderClass = Class.forName("org.elasticsearch.plugins.PluginsLoader");
        Object modules = loaderClass.getMethod("loadModulesBundles", Path.class).invoke(null, envClass.getMethod("modulesDir").invoke(env));
        Object plugins = loaderClass.getMethod("loadPluginsBundles", Path.class).invoke(null, envClass.getMethod("pluginsDir").invoke(env));
        Object loader = loaderClass.getMethod("createPluginsLoader", Set.class, Set.class, Map.class).invoke(null, modules, plugins, Map.of());
        Class<?> nodeClass = Class.forName("org.elasticsearch.node.Node");
        Object node = nodeClass.getConstructor(envClass, loaderClass).newInstance(env, loader);
        nodeClass.getMethod("start").invoke(node);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                nodeClass.getMethod("close").invoke(node);
            } catch (Throwable t) {
                t.printStackTrace();
            }
        }));
        System.out.println("ES_NODE_STARTED");
        // the parent holds our stdin: end of input means the parent is gone, so no orphan node survives it
        while (System.in.read() != -1) {
            // nothing to read
        }
        System.exit(0);
    }
}
