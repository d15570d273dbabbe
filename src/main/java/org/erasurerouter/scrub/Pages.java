package org.erasurerouter.scrub;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Keyset paging: each page is read only when the previous one is used up, starting after the previous page's last
 * key (the empty string before the first), and a short page is the last. Any number of rows fits in bounded memory.
 */
public final class Pages<T> implements Iterator<List<T>> {

    private final Function<String, List<T>> read;
    private final Function<T, String> key;
    private final int pageSize;
    private String after = "";
    private List<T> next;
    private boolean exhausted;

    /**
     * @param read     reads at most {@code pageSize} rows whose key is greater than its argument, in key order
     * @param key      the key of a row
     */
    public Pages(Function<String, List<T>> read, Function<T, String> key, int pageSize) {
        this.read = read;
        this.key = key;
        this.pageSize = pageSize;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !exhausted) {
            next = read.apply(after);
            exhausted = next.size() < pageSize;
            if (next.isEmpty()) {
                next = null;
            } else {
                after = key.apply(next.get(next.size() - 1));
            }
        }
        return next != null;
    }

    @Override
    public List<T> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<T> page = next;
        next = null;
        return page;
    }
}
