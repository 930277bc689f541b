package io.teebox.nvidia.h100.internal;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * The RM status codes ({@code NV_STATUS}) the emulated GPU refuses with, names and values as open-gpu-kernel-modules
 * {@code src/common/sdk/nvidia/inc/nvstatuscodes.h} defines them; which one answers which refusal is teebox's choice.
 */
enum NvStatus {
    /** A submission's fields are wrong. */
    NV_ERR_INVALID_ARGUMENT(0x1F),
    /** A channel has used all its IVs (CCSL's answer when the message counter would wrap). */
    NV_ERR_INSUFFICIENT_RESOURCES(0x1A),
    /** A GCM tag did not verify (CCSL's answer to a failed decryption), or an IV counter was not fresh. */
    NV_ERR_INVALID_DATA(0x25),
    /** The GPU is not in a state to do this (no guest holds it, no session). */
    NV_ERR_INVALID_STATE(0x40),
    /** What was asked is not allowed in the GPU's mode (a debugger in CC mode on). */
    NV_ERR_INSUFFICIENT_PERMISSIONS(0x1B),
    /** The GPU refuses this guest (a GPU in CC mode given to a guest that is not a confidential VM). */
    NV_ERR_NOT_SUPPORTED(0x56),
    /** The GPU is held by a guest. */
    NV_ERR_STATE_IN_USE(0x63);

    /** The firmware that defines the codes, as {@link FirmwareStatus#vendor()} names it. */
    static final String VENDOR = "nvidia-rm";

    private final FirmwareStatus status;

    NvStatus(int code) {
        this.status = new FirmwareStatus(VENDOR, name(), code);
    }

    FirmwareStatus status() {
        return status;
    }

    TeeException error(String reason) {
        return new TeeException(status, reason);
    }
}
