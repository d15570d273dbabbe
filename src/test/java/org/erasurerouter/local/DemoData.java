package org.erasurerouter.local;

import java.util.Map;
import org.erasurerouter.SunbirdContent;
import org.erasurerouter.servers.RealServers;

/** The local stack's demo: a user's content, draft and collection in every store, next to another user's. */
final class DemoData {
    static final String USER_ID = "u-demo-1";
    static final String USER_NAME = "Dana Demo";
    static final String ORG_ID = "org-demo";

    private final SunbirdContent content;

    DemoData(RealServers servers) {
        this.content = new SunbirdContent(servers);
    }

    void seed() throws Exception {
        content.seedCreator("do_demo", USER_ID, USER_NAME);
        content.seedCreator("do_other", "u-demo-2", "Omar Other");
    }

    /** How many records in each store still hold the user's name: what erasure must bring to zero. */
    Map<String, Long> copiesOfName(String name) throws Exception {
        return content.copiesOfName(name);
    }
}
