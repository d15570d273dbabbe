package org.erasurerouter;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Camel's HTTP engine pinned to the API port. With both the API server and the management server running, Camel
 * 4.17's engine cannot tell which server is the API's and falls back to port 8080, so the API routes fail to start
 * whenever camel.server.port is anything else. Bound in the registry as {@code platform-http-engine}.
 */
public class ApiHttpEngine extends VertxPlatformHttpEngine {

    private final int apiPort;

    public ApiHttpEngine(int apiPort) {
        this.apiPort = apiPort;
    }

    @Override
    public int getServerPort() {
        return apiPort;
    }
}
