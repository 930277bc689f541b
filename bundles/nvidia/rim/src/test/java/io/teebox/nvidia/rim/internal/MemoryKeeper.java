package io.teebox.nvidia.rim.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Keeps values in memory, as a platform state directory keeps them on disk. */
public final class MemoryKeeper implements NvidiaPki.Keeper {

    private final Map<String, byte[]> values = new HashMap<>();

    @Override
    public synchronized byte[] keep(String name, Supplier<byte[]> create) {
        return values.computeIfAbsent(name, n -> create.get()).clone();
    }

    /** @return how many values are kept */
    public synchronized int size() {
        return values.size();
    }
}
