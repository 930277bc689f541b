package io.teebox.kbs.internal;

import java.util.List;
import java.util.Optional;

/**
 * Where the broker keeps its secrets and its resource policy. A write returns only once it is durable: a process
 * killed right after it finds the value on restart.
 */
interface ResourceStore extends AutoCloseable {

    /** Stores a secret, replacing any previous value, durably before returning. */
    void put(ResourcePath path, byte[] value);

    /** @return the secret, or empty */
    Optional<byte[]> get(ResourcePath path);

    /** @return the paths held, sorted */
    List<String> list();

    /** Stores the resource policy (JSON text), durably before returning. */
    void putPolicy(String json);

    /** @return the stored resource policy, or empty when none was set */
    Optional<String> policy();

    /** @return a one-line description, for messages: kind and location */
    String describe();

    @Override
    void close();
}
