package org.erasurerouter;

import org.erasurerouter.ledger.ErasureLedger;

/** The outcome of reaching one datastore through its component; {@code detail} never holds user data. */
public record StoreCheck(String store, boolean reached, String detail) {

    public static StoreCheck reached(String routeId, String detail) {
        return new StoreCheck(storeOf(routeId), true, detail);
    }

    /** Names the failure as the ledger does: its root cause's type and first message line. */
    public static StoreCheck unreachable(String routeId, Throwable cause) {
        return new StoreCheck(storeOf(routeId), false, ErasureLedger.describe(cause, (String) null));
    }

    private static String storeOf(String routeId) {
        return routeId.startsWith("check-") ? routeId.substring("check-".length()) : routeId;
    }
}
