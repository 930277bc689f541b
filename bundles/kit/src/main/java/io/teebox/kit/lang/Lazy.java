package io.teebox.kit.lang;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value made when it is first asked for, then kept: for what a component holds but its activation need not pay
 * for, such as key material derived from a seed or an HTTP client with its selector thread. The platform's start
 * activates every component on one thread, so work moved here leaves the start path.
 * <p>
 * Thread-safe: the maker runs once, under the lazy's lock, and every caller sees the same value. A maker that
 * throws keeps nothing; the exception reaches the caller and the next {@link #get()} tries again.
 *
 * @param <T> the value's type
 */
public final class Lazy<T> implements Supplier<T> {

    private final Object lock = new Object();
    private Supplier<? extends T> maker;
    private volatile T value;

    private Lazy(Supplier<? extends T> maker) {
        this.maker = Objects.requireNonNull(maker, "maker");
    }

    /**
     * @param maker makes the value; must not return null
     * @param <T> the value's type
     * @return a lazy that calls {@code maker} at the first {@link #get()}
     */
    public static <T> Lazy<T> of(Supplier<? extends T> maker) {
        return new Lazy<>(maker);
    }

    /**
     * @return the value, made now if it was not made before
     * @throws NullPointerException if the maker returned null
     */
    @Override
    public T get() {
        T v = value;
        if (v != null) {
            return v;
        }
        synchronized (lock) {
            if (value == null) {
                value = Objects.requireNonNull(maker.get(), "a lazy value's maker returned null");
                maker = null;
            }
            return value;
        }
    }

    /** @return whether the value has been made (for tests and for closing only what was opened) */
    public boolean isMade() {
        return value != null;
    }
}
