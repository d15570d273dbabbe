package org.erasurerouter.reconcile;

import org.erasurerouter.intake.ErasureRequest;

/**
 * A user erased in a reconciliation window: the latest delete-user request finished in it, and its status then.
 *
 * @param request the request as the ledger keeps it (no name; the name's fingerprint)
 * @param status  the request's ledger status: DONE, or PARKED when some store's work waits for a replay
 */
public record ErasedUser(ErasureRequest request, String status) {

    public String userId() {
        return request.userId();
    }
}
