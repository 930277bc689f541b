package io.teebox.api.hypervisor;

/** A guest's lifecycle as the hypervisor sees it. */
public enum GuestState {
    /** Created; memory and vCPUs exist but nothing is launched. */
    CREATED,
    /** The backend is launching it. */
    LAUNCHING,
    /** Launched and running. */
    RUNNING,
    /** Paused by the operator or because its backend went away; its encrypted state is kept. */
    PAUSED,
    /** Destroyed or terminated by the TEE; nothing can be resumed. */
    TERMINATED
}
