package org.erasurerouter.intake;

import java.util.List;

/**
 * One unit of erasure work, as read from a valid event or from the ledger for a replay. {@code userName} and
 * {@code toUserName} are the only personal data; they live in memory for the exchange (to find array copies of the name) and are never logged or
 * stored, so they are null on a replay.
 *
 * @param requestId      the event's {@code mid}, or action:userId:ets when it has none
 * @param action         {@code delete-user} or {@code ownership-transfer}
 * @param userId         the deleted user, or the previous owner of a transfer
 * @param organisationId the user's root organisation, may be null
 * @param eventTime      the event's {@code ets} in epoch milliseconds, 0 when absent
 * @param userName       the user's name as the event gave it, may be null
 * @param toUserId       the new owner of a transfer, null for a deletion
 * @param toUserName     the new owner's name, written into the transferred assets; null for a deletion or a replay
 * @param assetIds       the assets a transfer names; empty means all of the user's assets
 * @param roles          the user's roles as the event gave them (e.g. CONTENT_CREATOR), for the assets report
 * @param nameFingerprint keyed hash of {@code userName} kept by the ledger (see NameFingerprint), null until then
 */
public record ErasureRequest(String requestId, String action, String userId, String organisationId, long eventTime,
                             String userName, String toUserId, String toUserName, List<String> assetIds,
                             List<String> roles, String nameFingerprint) {

    public static final String DELETE_USER = "delete-user";
    public static final String OWNERSHIP_TRANSFER = "ownership-transfer";

    public ErasureRequest {
        assetIds = assetIds == null ? List.of() : List.copyOf(assetIds);
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    /** A request without roles or fingerprint (a transfer, or a deletion before the ledger has seen it). */
    public ErasureRequest(String requestId, String action, String userId, String organisationId, long eventTime,
                          String userName, String toUserId, String toUserName, List<String> assetIds) {
        this(requestId, action, userId, organisationId, eventTime, userName, toUserId, toUserName, assetIds, null, null);
    }

    /** Keeps the name out of every string form of the request (logs, exceptions, debuggers). */
    @Override
    public String toString() {
        return "ErasureRequest[" + requestId + ", " + action + ", user " + userId + "]";
    }
}
