package io.teebox.disk.cvm.internal;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code guest:boot}: a running CVM boots from its disk. */
@Component(service = BootCommand.class, immediate = true, property = {"osgi.command.scope=guest",
    "osgi.command.function=boot"})
public final class BootCommand {

    private final CvmDisks disks;

    /** @param disks the disks and the CVMs that boot from them */
    @Activate
    public BootCommand(@Reference CvmDisks disks) {
        this.disks = disks;
    }

    /**
     * @return the boot's stages, measurements and outcome
     * @throws IllegalStateException after printing the stages, when the boot stopped or the root stayed locked
     */
    @Descriptor("Boots a running SEV-SNP or TDX CVM from a confidential disk: its vTPM restarts, the UEFI firmware "
            + "measures and verifies shim, GRUB and the kernel (PCRs 0-9, the TCG event log), and the initramfs "
            + "unseals the root key from the vTPM or, on first boot, gets it from the key broker by attestation")
    public String boot(
            @Descriptor("Secure Boot on or off") @Parameter(names = {"-s", "--secure-boot"}, absentValue = "on")
            String secureBoot,
            @Descriptor("the CVM (guest id or name)") String guest,
            @Descriptor("its disk image") String disk) {
        boolean on = switch (secureBoot) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--secure-boot is '" + secureBoot + "', expected on or off");
        };
        CvmDisks.Booted b = disks.boot(guest, DiskCommands.existing(disk), on);
        String out = DiskCommands.render(b, on);
        if (!b.ok()) {
            System.out.println(out);
            throw new IllegalStateException(b.boot().booted() ? "ROOT LOCKED: " + b.unlock().refusal()
                    : "BOOT STOPPED: " + b.boot().refusal());
        }
        return out;
    }
}
