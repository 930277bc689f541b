package io.teebox.api.tee;

/** Where a TEE lives. */
public enum TeeKind {
    /** A CPU-based TEE protecting whole virtual machines (SEV, TDX). */
    CPU,
    /** A device TEE such as a GPU in confidential-computing mode. */
    DEVICE
}
