package org.erasurerouter;

/** A configuration key that is missing or malformed; its message is one line naming the key. */
public class InvalidSettingException extends RuntimeException {

    public InvalidSettingException(String message) {
        super(message, null, false, false);
    }

    /** The first InvalidSettingException in a cause chain, or null. */
    static InvalidSettingException findIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InvalidSettingException e) {
                return e;
            }
        }
        return null;
    }
}
