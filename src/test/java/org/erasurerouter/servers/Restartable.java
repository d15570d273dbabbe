package org.erasurerouter.servers;

/** A server a fault test can stop and start again on the same port. */
interface Restartable {
    /** Stops the server, as an outage. */
    void pause() throws Exception;

    /** Starts it again after {@link #pause()}, on the same port. */
    void resume() throws Exception;
}
