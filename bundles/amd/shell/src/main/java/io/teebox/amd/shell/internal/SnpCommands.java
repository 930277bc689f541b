package io.teebox.amd.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.snp.SnpGuest;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.kit.hex.Hex;

/** SEV-SNP guest instructions and views: the RMP, RMPADJUST, derived keys. */
@Component(service = SnpCommands.class, immediate = true)
@GogoCommand(scope = "snp", function = {"rmp", "rmpadjust", "key"})
@Descriptor("SEV-SNP: the Reverse Map Table, RMPADJUST and derived keys")
public final class SnpCommands {

    private final Hypervisor hypervisor;

    /**
     * @param hypervisor the hypervisor, through whose guest contexts the commands act
     */
    @Activate
    public SnpCommands(@Reference Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    /** The guest's SNP interface, through its context: refused unless the guest runs. */
    private SnpGuest snp(String guest) {
        return hypervisor.context(guest).extension(SnpGuest.class).orElseThrow(() -> new IllegalArgumentException(
                "guest " + guest + " is a " + hypervisor.guest(guest).config().teeType() + " guest, not sev-snp"));
    }

    private static long number(String name, String text) {
        try {
            return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a number");
        }
    }

    private static long numberIn(String name, String text, long min, long max) {
        long n = number(name, text);
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + text);
        }
        return n;
    }

    /** @return one line per RMP entry */
    @Descriptor("Show a guest's RMP entries: host page, GPA, page state, VMPL permissions")
    public List<String> rmp(@Descriptor("guest id or name") String guest) {
        List<String> out = new ArrayList<>();
        snp(guest).rmp().forEach((hpa, line) -> out.add(String.format("0x%012X  %s", hpa, line)));
        return out;
    }

    /** @return the return code */
    @Descriptor("RMPADJUST from VMPL 0: give a less privileged VMPL permissions on a validated page")
    public String rmpadjust(
            @Descriptor("mark the page as a VMSA")
            @Parameter(names = {"--vmsa"}, presentValue = "true", absentValue = "false") boolean vmsa,
            @Descriptor("guest id or name") String guest,
            @Descriptor("page-aligned guest physical address") String gpa,
            @Descriptor("target VMPL, 1..3") String vmpl,
            @Descriptor("permissions: bit0 read, bit1 write, bit2 execute-user, bit3 execute-supervisor") String perms) {
        long address = number("gpa", gpa);
        if ((address & 0xFFF) != 0) {
            throw new IllegalArgumentException(String.format("gpa 0x%X is not 4 KiB aligned; RMPADJUST takes a page "
                    + "address", address));
        }
        int rc = snp(guest).rmpadjust(address, (int) numberIn("vmpl", vmpl, 1, 3),
                (int) numberIn("perms", perms, 0, 0xF), vmsa);
        return "RMPADJUST returned " + rc + (rc == 0 ? " (success)" : rc == 1 ? " (FAIL_INPUT)" : " (FAIL_PERMISSION)");
    }

    /** @return the key in hex */
    @Descriptor("MSG_KEY_REQ: a key derived by the firmware from the chip, TCB and the selected guest fields")
    public String key(
            @Descriptor("GUEST_FIELD_SELECT: bit0 policy, 1 image id, 2 family id, 3 measurement, 4 SVN, 5 TCB")
            @Parameter(names = {"-f", "--fields"}, absentValue = "0x8") String fields,
            @Descriptor("guest id or name") String guest) {
        return Hex.encode(snp(guest).derivedKey(number("fields", fields), 0, 0));
    }
}
