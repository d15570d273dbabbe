package org.erasurerouter;

/** The outcome of reaching one datastore through its component; {@code detail} never holds user data. */
public record StoreCheck(String store, boolean reached, String detail) {

    public static StoreCheck reached(String routeId, String detail) {
        return new StoreCheck(storeOf(routeId), true, detail);
    }

    /** Names the failure by its type and first message line, which for connection errors carries no user data. */
    public static StoreCheck unreachable(String routeId, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
        return new StoreCheck(storeOf(routeId), false, root.getClass().getSimpleName() + ": " + message);
    }

    private static String storeOf(String routeId) {
        return routeId.startsWith("check-") ? routeId.substring("check-".length()) : routeId;
    }
}
