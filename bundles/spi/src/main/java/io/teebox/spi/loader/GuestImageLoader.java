package io.teebox.spi.loader;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.launch.LaunchSession;

/**
 * A TEE's image loader, registered by its backend with the {@code tee.type} service property: it checks an image
 * before anything is launched, lays it into guest memory through the host's {@link LaunchStaging} and hands its
 * pages and vCPU states to the launch session in the order and with the page types its firmware measures them.
 */
@ConsumerType
public interface GuestImageLoader {

    /**
     * Refuses, before anything is created or loaded, an image this TEE cannot launch as asked: a firmware without
     * the metadata this TEE needs, a kernel the firmware cannot measure (QEMU refuses those too).
     *
     * @param image the image
     * @param config the guest
     * @throws IllegalArgumentException naming what is wrong with the image
     */
    void check(GuestImage image, GuestConfig config);

    /**
     * Lays the image into guest memory and measures it through the session.
     *
     * @param image the image, already {@linkplain #check checked}
     * @param session the launch session the backend began
     * @param staging the host's side: plaintext placed into guest pages before the firmware encrypts them, vCPU reset
     *            states
     */
    void load(GuestImage image, LaunchSession session, LaunchStaging staging);

    /**
     * What a firmware image carries as this TEE reads it, for display ({@code tee:firmware}).
     *
     * @param firmware the image, or null for the built-in default
     * @return named facts in order
     * @throws IllegalArgumentException if the image is malformed, naming the field
     */
    Map<String, String> describe(byte[] firmware);
}
