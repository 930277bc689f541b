package io.teebox.api.tee;

/** What a TEE backend can do; a descriptor lists the capabilities its backend has. */
public enum Capability {
    /** Guest memory is encrypted under a per-guest key. */
    MEMORY_ENCRYPTION,
    /** vCPU register state is encrypted and hidden from the host. */
    REGISTER_ENCRYPTION,
    /** Host writes to, remaps or replays of guest memory are detected or prevented. */
    MEMORY_INTEGRITY,
    /** The initial guest state is measured into a launch digest. */
    LAUNCH_MEASUREMENT,
    /** Secrets can be injected by the guest owner before the guest runs. */
    LAUNCH_SECRET,
    /** The running guest can obtain signed evidence with its own report data. */
    RUNTIME_ATTESTATION,
    /** The guest can derive sealing keys bound to its measurement. */
    KEY_DERIVATION,
    /** The host can decrypt guest memory when the guest policy allows debugging. */
    DEBUG_ACCESS,
    /** A device (accelerator) isolates its own memory and traffic. */
    DEVICE_ISOLATION
}
