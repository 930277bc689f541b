package io.teebox.hypervisor.internal;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.TeeBackend;

/**
 * The services one TEE type registers. A backend is usable when its descriptor, memory engine and launch service
 * are all present; attestation is optional.
 */
record Backend(String type, TeeBackend tee, MemoryEncryption memory, LaunchService launch,
        AttestationService attestation) {

    boolean complete() {
        return tee != null && memory != null && launch != null;
    }

    boolean empty() {
        return tee == null && memory == null && launch == null && attestation == null;
    }

    /** @return whether the service is the one this backend holds for that kind of service */
    boolean holds(Class<?> kind, Object service) {
        return get(kind) == service;
    }

    private Object get(Class<?> kind) {
        if (kind == TeeBackend.class) {
            return tee;
        }
        if (kind == MemoryEncryption.class) {
            return memory;
        }
        if (kind == LaunchService.class) {
            return launch;
        }
        if (kind == AttestationService.class) {
            return attestation;
        }
        throw new IllegalArgumentException("not a backend service kind: " + kind);
    }

    /** @return this backend with the service of the given kind replaced (null removes it) */
    Backend with(Class<?> kind, Object service) {
        get(kind);
        return new Backend(type,
                kind == TeeBackend.class ? (TeeBackend) service : tee,
                kind == MemoryEncryption.class ? (MemoryEncryption) service : memory,
                kind == LaunchService.class ? (LaunchService) service : launch,
                kind == AttestationService.class ? (AttestationService) service : attestation);
    }
}
