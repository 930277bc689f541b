package io.teebox.shell.internal;

import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.Hypervisor;

/**
 * What crosses from a vCPU to the host: intercepted instructions, carried by the exit protocol of the guest's TEE,
 * and the log of exits. Backends add their protocol's own commands to this scope.
 */
@Component(service = VcpuCommands.class, immediate = true)
@GogoCommand(scope = "vcpu", function = {"exec", "exits"})
@Descriptor("vCPU exits: intercepted instructions and how the TEE's exit protocol carried them to the host")
public final class VcpuCommands {

    private final Hypervisor hypervisor;

    /**
     * @param hypervisor the hypervisor
     */
    @Activate
    public VcpuCommands(@Reference Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    /** @return the exit as it crossed to the host */
    @Descriptor("Let the guest execute an intercepted instruction and show what the host saw")
    public ExitTrace exec(
            @Descriptor("vCPU index, default 0") @Parameter(names = {"-v", "--vcpu"}, absentValue = "0") String vcpu,
            @Descriptor("access size in bytes for in/out/mmio, default 1")
            @Parameter(names = {"--size"}, absentValue = "1") String size,
            @Descriptor("guest id or name") String guest,
            @Descriptor("cpuid, in, out, rdmsr, wrmsr, mmio-read or mmio-write") String kind,
            @Descriptor("CPUID leaf, I/O port, MSR index or MMIO address") String operand,
            @Descriptor("CPUID subleaf, or the value written by out, wrmsr and mmio-write") String... rest) {
        GuestInstruction.Kind k;
        try {
            k = GuestInstruction.Kind.valueOf(kind.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("instruction '" + kind + "' is not one of "
                    + List.of(GuestInstruction.Kind.values()).toString().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        long extra = rest.length > 0 ? Args.number("value", rest[0]) : 0;
        long sub = k == GuestInstruction.Kind.CPUID ? extra : Args.number("size", size);
        long value = k == GuestInstruction.Kind.CPUID ? 0 : extra;
        return hypervisor.context(guest).execute(Args.intIn("vcpu", vcpu, 0, 63),
                new GuestInstruction(k, Args.number("operand", operand), sub, value));
    }

    /** @return the exits */
    @Descriptor("Show a guest's vCPU exits: what the host saw of each and what it answered")
    public List<ExitTrace> exits(@Descriptor("guest id or name") String guest) {
        return hypervisor.exits(guest);
    }
}
