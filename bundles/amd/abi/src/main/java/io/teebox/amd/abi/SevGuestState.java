package io.teebox.amd.abi;

/** SEV guest states (GSTATE) with their firmware values. */
public enum SevGuestState {
    /** No launch yet. */
    UNINIT,
    /** After LAUNCH_START: LAUNCH_UPDATE_* and LAUNCH_MEASURE allowed. */
    LUPDATE,
    /** After LAUNCH_MEASURE: LAUNCH_SECRET and LAUNCH_FINISH allowed. */
    LSECRET,
    /** Launched. */
    RUNNING,
    /** Sending. */
    SUPDATE,
    /** Receiving. */
    RUPDATE,
    /** Sent. */
    SENT
}
