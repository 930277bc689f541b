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
        long response = ghcb(guest).msr(vcpu(vcpu), number("value", value));
        return String.format("0x%016X  %s", response, decode(response));
    }

    /**
     * @param msr a GHCB MSR value the hypervisor answered
     * @return its fields by the GHCB specification's MSR protocol (GHCBInfo in bits 11:0)
     */
    static String decode(long msr) {
        int info = (int) (msr & 0xFFF);
        return switch (info) {
            case 0x001 -> String.format("SEV_INFO response: GHCB protocol %d..%d, C-bit position %d",
                    (msr >>> 32) & 0xFFFF, msr >>> 48, (msr >>> 24) & 0xFF);
            case 0x005 -> String.format("CPUID response: %s = 0x%08X", new String[] {"EAX", "EBX", "ECX", "EDX"}[
                    (int) (msr >>> 30) & 3], msr >>> 32);
            case 0x013 -> (msr >>> 12) == 0xF_FFFF_FFFF_FFFFL ? "register GHCB response: refused (GFN all ones)"
                    : String.format("register GHCB response: GHCB at GPA 0x%X", msr & ~0xFFFL);
            case 0x015 -> (msr >>> 32) == 0 ? "page state change response: done"
                    : String.format("page state change response: error 0x%X", msr >>> 32);
            case 0x081 -> String.format("hypervisor features response: 0x%X", msr >>> 12);
            case 0x000 -> "no response (the guest terminated)";
            default -> String.format("GHCBInfo 0x%03X", info);
        };
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
