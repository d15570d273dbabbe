package org.erasurerouter.servers;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Kills every server process this JVM started as soon as this JVM is gone, however it died.
 *
 * <p>A small shell process reads PIDs from a pipe whose other end only this JVM holds. When the JVM exits — normally,
 * by a crash or by SIGKILL — the pipe closes, and the shell terminates every PID it still holds. Servers stopped
 * normally are taken off its list first, so it never signals a reused PID.
 */
final class Reaper {
    private static final String SCRIPT = String.join("\n",
            "trap '' INT TERM HUP",
            "pids=' '",
            "while IFS= read -r line; do",
            "  case $line in -*) pids=${pids// ${line#-} / };; *) pids=\"$pids$line \";; esac",
            "done",
            "[ -z \"${pids// /}\" ] && exit 0",
            "kill -TERM $pids 2>/dev/null; sleep 5; kill -KILL $pids 2>/dev/null",
            "exit 0");
    private static Writer pipe;

    private Reaper() {}

    /** Adds a server process that must not outlive this JVM. */
    static synchronized void watch(long pid) {
        send(Long.toString(pid));
    }

    /** Takes a server that was stopped normally off the list. */
    static synchronized void forget(long pid) {
        send("-" + pid);
    }

    private static void send(String line) {
        try {
            if (pipe == null) {
                Process p = new ProcessBuilder("bash", "-c", SCRIPT).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                pipe = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII);
            }
            pipe.write(line + "\n");
            pipe.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the server reaper", e);
        }
    }
}
