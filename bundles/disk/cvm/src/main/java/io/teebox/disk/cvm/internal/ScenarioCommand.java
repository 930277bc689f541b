package io.teebox.disk.cvm.internal;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.GsonBuilder;

import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.attestation.api.Timeline;
import io.teebox.tpm.guest.GuestTpms;

/** {@code scenario:disk}: the confidential-disk flow and the host's attacks. */
@Component(service = ScenarioCommand.class, immediate = true, property = {"osgi.command.scope=scenario",
    "osgi.command.function=disk"})
public final class ScenarioCommand {

    private final Hypervisor hypervisor;
    private final GuestOwnerService owner;
    private final GuestTpms tpms;
    private final CvmDisks disks;

    /**
     * @param hypervisor the guests
     * @param owner the SEV-SNP guest owner
     * @param tpms the guests' vTPMs
     * @param disks the disks
     */
    @Activate
    public ScenarioCommand(@Reference Hypervisor hypervisor, @Reference(target = "(tee.type=sev-snp)")
            GuestOwnerService owner, @Reference GuestTpms tpms, @Reference CvmDisks disks) {
        this.hypervisor = hypervisor;
        this.owner = owner;
        this.tpms = tpms;
        this.disks = disks;
    }

    /**
     * @return the timeline, as text or JSON
     * @throws IllegalStateException after printing the timeline, when the flow was refused
     */
    @Descriptor("Runs the confidential-disk flow: an SEV-SNP CVM with its vTPM at VMPL0, a disk whose LUKS2 root key "
            + "is escrowed in the key broker for that vTPM, a first boot that attests (HCL report + TPM quote) and "
            + "gets the key wrapped to the vTPM, a reboot that unseals it under a PCR policy; --negative runs one of "
            + "the host's attacks, each refused with its reason")
    public String disk(
            @Descriptor("an attack: initramfs (the host modifies it), revoked-kernel (an older kernel in dbx), "
                    + "older-kernel (an older kernel not revoked), secure-boot-off, copy (the disk booted by another "
                    + "CVM)") @Parameter(names = {"-n", "--negative"}, absentValue = "") String negative,
            @Descriptor("print the timeline as JSON")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        DiskScenario.Negative n = DiskScenario.Negative.of(negative);
        Timeline t = new DiskScenario(hypervisor, owner, tpms, disks).run(n);
        String out = json ? new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(t.toJson())
                : t.render().stripTrailing();
        if (t.isRefused()) {
            System.out.println(out);
            throw new IllegalStateException("REFUSED: " + t.outcome());
        }
        return out;
    }
}
