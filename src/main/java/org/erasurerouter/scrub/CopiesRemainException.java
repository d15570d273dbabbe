package org.erasurerouter.scrub;

/**
 * A store was re-read after its writes and some of the request's assets there would still be rewritten: a target
 * field kept the user's data (a concurrent edit, a write that did not land). The store's work is retried, then
 * parked; the ledger records how many copies were found. The message names counts and the store, never a value.
 */
public class CopiesRemainException extends RuntimeException {

    private final int copies;

    public CopiesRemainException(String store, int copies) {
        super(store + " still holds the user's data in " + copies + (copies == 1 ? " record" : " records") + " after rewriting");
        this.copies = copies;
    }

    public int copies() {
        return copies;
    }

    /** Answers {@code touched} when no copy is left, else throws. */
    public static int unlessAny(String store, int copies, int touched) {
        if (copies > 0) {
            throw new CopiesRemainException(store, copies);
        }
        return touched;
    }
}
