package io.teebox.hypervisor.internal;

import java.util.Map;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.TeeBackend;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImageLoader;

/**
 * The services one TEE type registers. A backend is usable when its descriptor, memory engine, launch service,
 * image loader and exit protocol are all present; guest services and attestation are optional.
 */
record Backend(String type, TeeBackend tee, MemoryEncryption memory, LaunchService launch, GuestImageLoader loader,
        ExitProtocol exits, GuestServices services, AttestationService attestation) {

    /** The kinds of service a backend is made of, in the order of the record's components. */
    static final java.util.List<Class<?>> KINDS = java.util.List.of(TeeBackend.class, MemoryEncryption.class,
            LaunchService.class, GuestImageLoader.class, ExitProtocol.class, GuestServices.class,
            AttestationService.class);

    static Backend empty(String type) {
        return new Backend(type, null, null, null, null, null, null, null);
    }

    boolean complete() {
        return tee != null && memory != null && launch != null && loader != null && exits != null;
    }

    boolean empty() {
        return tee == null && memory == null && launch == null && loader == null && exits == null && services == null
                && attestation == null;
    }

    /** @return which mandatory services are missing, for messages */
    String missing() {
        StringBuilder b = new StringBuilder();
        Object[] mandatory = {tee, memory, launch, loader, exits};
        for (int i = 0; i < mandatory.length; i++) {
            if (mandatory[i] == null) {
                b.append(b.length() == 0 ? "" : ", ").append(KINDS.get(i).getSimpleName());
            }
        }
        return b.toString();
    }

    private Object[] all() {
        return new Object[] {tee, memory, launch, loader, exits, services, attestation};
    }

    /** @return whether the service is the one this backend holds for that kind of service */
    boolean holds(Class<?> kind, Object service) {
        return all()[index(kind)] == service;
    }

    private static int index(Class<?> kind) {
        int i = KINDS.indexOf(kind);
        if (i < 0) {
            throw new IllegalArgumentException("not a backend service kind: " + kind);
        }
        return i;
    }

    /** @return this backend with the service of the given kind replaced (null removes it) */
    Backend with(Class<?> kind, Object service) {
        Object[] a = all();
        a[index(kind)] = service;
        return new Backend(type, (TeeBackend) a[0], (MemoryEncryption) a[1], (LaunchService) a[2],
                (GuestImageLoader) a[3], (ExitProtocol) a[4], (GuestServices) a[5], (AttestationService) a[6]);
    }

    /** @return a description for logs */
    Map<String, String> describe() {
        return Map.of("type", type, "missing", missing());
    }
}
