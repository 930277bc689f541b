package io.teebox.api.platform;

import java.nio.file.Path;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The machine's state directory: what an emulated platform must keep across restarts, as a real chip keeps its fused
 * keys. Values are created once (on first start), written atomically and never replaced; only re-provisioning (a new
 * machine, documented in the README) removes them. Two teebox processes may share a directory: the first to create
 * a value wins and the other reads it.
 */
@ProviderType
public interface PlatformState {

    /** @return the state directory, absolute; it exists */
    Path directory();

    /**
     * Random secret bytes that identify one emulated platform, created on first use and kept: a chip seed from which
     * the platform's keys derive, for example.
     *
     * @param platform the platform, a lower-case name such as {@code "amd"} or {@code "intel"}
     * @param name the value's name, for example {@code "chip-seed"}
     * @param length how many bytes, 16..4096
     * @return the bytes, the same on every call and every start
     * @throws IllegalArgumentException for a bad name or length
     * @throws IllegalStateException if the stored value is unreadable or of another length, naming the file
     */
    byte[] secret(String platform, String name, int length);

    /**
     * Material derived once and kept because deriving it again at each start is costly (an RSA-4096 key pair, say).
     *
     * @param platform the platform, a lower-case name
     * @param name the value's name
     * @param create computes the value when none is kept yet
     * @return the kept value
     * @throws IllegalArgumentException for a bad name
     * @throws IllegalStateException if the stored value cannot be read, naming the file
     */
    byte[] kept(String platform, String name, Supplier<byte[]> create);
}
