package io.teebox.api.hypervisor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A vCPU's save area as the host sees it.
 *
 * @param index the vCPU index
 * @param encrypted whether the save area is ciphertext under the guest key (SEV-ES and later)
 * @param saveArea the raw 4 KiB save area as stored
 * @param registers registers decoded from the raw bytes by the save-area layout (for an encrypted save area these
 *            are what a host reading the ciphertext would take them to be)
 */
public record VcpuView(int index, boolean encrypted, byte[] saveArea, Map<String, Long> registers) {

    /** Creates a view; the array and map are copied. */
    public VcpuView {
        saveArea = saveArea.clone();
        registers = Collections.unmodifiableMap(new LinkedHashMap<>(registers));
    }

    /** @return a copy of the save area */
    @Override
    public byte[] saveArea() {
        return saveArea.clone();
    }
}
