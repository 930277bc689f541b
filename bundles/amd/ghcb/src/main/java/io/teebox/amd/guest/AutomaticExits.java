package io.teebox.amd.guest;

import java.util.Map;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.kit.x86.Vmsa;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;

/**
 * SEV's exits: the save area is plaintext, so an intercepted instruction exits to the host automatically and the
 * host reads its operands, and every other register, from the VMSA and writes the results back there.
 */
public final class AutomaticExits implements ExitProtocol {

    /** How the exits are shown. */
    public static final String PATH = "automatic exit: the host reads the plaintext save area";

    private final AmdCpuid cpuid;

    /** @param cpuid the CPUID model */
    public AutomaticExits(AmdCpuid cpuid) {
        this.cpuid = cpuid;
    }

    @Override
    public String name() {
        return "SEV automatic exits";
    }

    @Override
    public ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction insn) {
        byte[] area = guest.saveArea(vcpu);
        switch (insn.kind()) {
            case CPUID -> {
                area = put(area, "rax", insn.operand());
                area = put(area, "rcx", insn.subOperand());
            }
            case OUT, WRMSR, MMIO_WRITE -> area = put(area, "rax", insn.value());
            default -> {
            }
        }
        guest.saveArea(vcpu, area);
        Map<String, Long> saw = Vmsa.registers(area);
        Map<String, Long> result = guest.emulate(insn);
        byte[] after = area;
        for (Map.Entry<String, Long> e : result.entrySet()) {
            if (!e.getKey().equals("data")) {
                after = put(after, e.getKey(), e.getValue());
            }
        }
        guest.saveArea(vcpu, after);
        return guest.record(vcpu, insn, PATH, GhcbExits.exitCode(insn), saw, result);
    }

    private static byte[] put(byte[] area, String reg, long value) {
        return Vmsa.LAYOUT.hasField(reg) ? Vmsa.LAYOUT.parse(area).set(reg, value).toBytes() : area;
    }

    @Override
    public long[] cpuid(GuestAccess guest, long leaf, long subleaf) {
        return cpuid.cpuid(guest.config().vcpuType(), leaf);
    }

    @Override
    public Map<String, Long> registers(byte[] saveArea, boolean encrypted) {
        return encrypted ? Map.of() : Vmsa.registers(saveArea);
    }
}
