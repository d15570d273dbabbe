package org.erasurerouter.bench;

import com.sun.tools.attach.VirtualMachine;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** JMX of a JVM on this machine, over a local management agent started in it by the attach API. */
public final class LocalJmx {
    private LocalJmx() {
    }

    public interface Work<T> {
        T apply(MBeanServerConnection beans) throws Exception;
    }

    /** Cassandra's MBeans: its metrics, flush and compaction. */
    public static <T> T withCassandra(Work<T> work) throws Exception {
        try (JMXConnector jmx = connect(ProcessCpu.pidOf("org.apache.cassandra.service.CassandraDaemon"))) {
            return work.apply(jmx.getMBeanServerConnection());
        }
    }

    static JMXConnector connect(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return JMXConnectorFactory.connect(new JMXServiceURL(address));
    }
}
