package io.teebox.api.device;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One device of a device TEE, as of now.
 *
 * @param id the device's name, unique on the platform, for example {@code gpu0}
 * @param teeType the {@code tee.type} of the backend that drives it, for example {@code h100}
 * @param mode the confidential-computing mode in force, one of {@code modes}, for example {@code on}
 * @param modes the modes the device has, for example {@code off}, {@code on}, {@code devtools}
 * @param confidential whether the mode in force protects the device (then it attaches only to a guest in a CPU TEE)
 * @param guest the guest that holds the device, if any
 * @param properties what the vendor shows about the device (firmware, VBIOS, serial, memory), in order
 */
public record DeviceInfo(String id, String teeType, String mode, List<String> modes, boolean confidential,
        Optional<String> guest, Map<String, String> properties) {

    /** Creates the record; collections are copied. */
    public DeviceInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(teeType, "teeType");
        Objects.requireNonNull(mode, "mode");
        modes = List.copyOf(modes);
        Objects.requireNonNull(guest, "guest");
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }
}
