package io.teebox.amd.shell.internal;

import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.guest.GhcbGuest;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.Hypervisor;

/**
 * The GHCB's own commands in the {@code vcpu:} scope, beside the generic ones: the GHCB MSR protocol and VMGEXIT with
 * whatever the GHCB holds, for SEV-ES and SEV-SNP guests, through the guest's context.
 */
@Component(service = GhcbCommands.class, immediate = true)
@GogoCommand(scope = "vcpu", function = {"msr", "vmgexit"})
public final class GhcbCommands {

    private final Hypervisor hypervisor;

    /** @param hypervisor the hypervisor, through whose guest contexts the commands act */
    @Activate
    public GhcbCommands(@Reference Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    private GhcbGuest ghcb(String guest) {
        return hypervisor.context(guest).extension(GhcbGuest.class).orElseThrow(() -> new IllegalArgumentException(
                "guest " + guest + " runs on " + hypervisor.guest(guest).config().teeType() + ", whose vCPUs have no "
                        + "GHCB (its save area is not encrypted, or it is not an AMD guest)"));
    }

    private static int vcpu(String text) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v < 0 || v > 63) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("vcpu '" + text + "' is not 0..63");
        }
    }

    private static long number(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a number (decimal or 0x hex)");
        }
    }

    /**
     * @param vcpu the vCPU index
     * @param guest the guest
     * @param value the value written to the MSR
     * @return the MSR value the hypervisor answered
     */
    @Descriptor("Write the GHCB MSR and VMGEXIT (GHCB MSR protocol: 0x002 SEV info, 0x004 CPUID, 0x012 register GHCB, "
            + "0x014 page state change, 0x080 features, 0x100 terminate)")
    public String msr(
            @Descriptor("vCPU index, default 0") @Parameter(names = {"-v", "--vcpu"}, absentValue = "0") String vcpu,
            @Descriptor("guest id or name") String guest,
            @Descriptor("the value written to MSR 0xC0010130") String value) {
        return String.format("0x%016X", ghcb(guest).msr(vcpu(vcpu), number("value", value)));
    }

    /**
     * @param vcpu the vCPU index
     * @param guest the guest
     * @return the exit
     */
    @Descriptor("VMGEXIT with whatever the vCPU's GHCB page holds now (fill it with mem:write)")
    public ExitTrace vmgexit(
            @Descriptor("vCPU index, default 0") @Parameter(names = {"-v", "--vcpu"}, absentValue = "0") String vcpu,
            @Descriptor("guest id or name") String guest) {
        return ghcb(guest).vmgexit(vcpu(vcpu));
    }
}
