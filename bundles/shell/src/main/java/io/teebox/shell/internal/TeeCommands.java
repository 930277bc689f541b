package io.teebox.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;

/** Commands about the platform: which TEE backends are present, and what a firmware image carries. */
@Component(service = TeeCommands.class, immediate = true)
@GogoCommand(scope = "tee", function = {"backends", "backend", "firmware"})
@Descriptor("TEE platform: backends present and firmware images")
public final class TeeCommands {

    private final Hypervisor hypervisor;

    /**
     * @param hypervisor the hypervisor that binds the backends
     */
    @Activate
    public TeeCommands(@Reference Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    /** @return the backends present now, one line each */
    @Descriptor("List the TEE backends present now, with firmware, key slots and capabilities")
    public List<BackendDescriptor> backends() {
        return hypervisor.backends();
    }

    /**
     * @param type the backend's tee.type
     * @return its descriptor in full
     */
    @Descriptor("Show one TEE backend in full")
    public BackendDescriptor backend(@Descriptor("the backend's tee.type, for example sev") String type) {
        return hypervisor.backends().stream().filter(d -> d.teeType().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend '" + type + "' is present; present: "
                        + hypervisor.backends().stream().map(BackendDescriptor::teeType).toList()));
    }

    /**
     * @param path an OVMF image, or empty for the built-in default
     * @return what the image's footer table and metadata say
     */
    @Descriptor("Parse a firmware image (OVMF format) and show its footer table, SEV and TDX metadata")
    public String firmware(
            @Descriptor("path to an OVMF image (default: the built-in firmware)")
            @Parameter(names = {"-f", "--file"}, absentValue = "") String path) {
        byte[] bytes = Args.opt(path) == null ? DefaultFirmware.image() : Args.file("firmware", path);
        OvmfImage image = OvmfImage.parse(bytes);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("image", (Args.opt(path) == null ? "built-in default" : path) + ", " + image.size() + " bytes");
        out.put("load address", String.format("0x%X..0x100000000", image.loadAddress()));
        for (Map.Entry<UUID, byte[]> e : image.footerEntries().entrySet()) {
            out.put("footer " + e.getKey(), Hex.encode(e.getValue()));
        }
        image.sevEsResetEip().ifPresent(eip -> out.put("SEV-ES AP reset EIP", String.format("0x%X", eip)));
        image.kernelHashesArea().ifPresent(a -> out.put("kernel hashes area",
                String.format("0x%X+0x%X", a.gpa(), a.size())));
        image.launchSecretArea().ifPresent(a -> out.put("launch secret area",
                String.format("0x%X+0x%X", a.gpa(), a.size())));
        image.sevMetadata().forEach(s -> out.put(String.format("SEV metadata 0x%X", s.gpa()),
                String.format("%s size 0x%X", s.type(), s.size())));
        image.tdxMetadata().forEach(s -> out.put(String.format("TDX metadata 0x%X", s.memoryAddress()),
                s.toString()));
        StringBuilder b = new StringBuilder();
        out.forEach((k, v) -> b.append(String.format("%-50s %s%n", k, v)));
        return b.toString().stripTrailing();
    }
}
