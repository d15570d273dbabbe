package org.erasurerouter.intake;

/**
 * An event the runtime refuses, with a reason code for the dead-letter topic. The message names fields, never their
 * values, so it can be logged and published without carrying personal data.
 */
public class InvalidEventException extends RuntimeException {

    /** Why an event was refused; published as the {@code erasureRejectReason} header. */
    public enum Reason { TOO_LARGE, MALFORMED_JSON, WRONG_EID, UNKNOWN_ACTION, MISSING_USER_ID, NOT_A_USER, MISSING_FIELD }

    private final Reason reason;

    public InvalidEventException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason getReason() {
        return reason;
    }
}
