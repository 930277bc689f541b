package io.teebox.amd.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

import io.teebox.amd.guest.GhcbGuest;
import io.teebox.amd.snp.SnpGuest;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;

/** The snp: and vcpu: commands parse their arguments, name what is wrong, and act through the guest's context. */
public class AmdCommandsTest {

    private final List<String> calls = new ArrayList<>();

    private final SnpGuest snp = new SnpGuest() {
        @Override
        public int rmpadjust(long gpa, int targetVmpl, int perms, boolean vmsa) {
            calls.add(String.format("rmpadjust 0x%X %d 0x%X %s", gpa, targetVmpl, perms, vmsa));
            return targetVmpl == 3 ? 2 : 0;
        }

        @Override
        public byte[] derivedKey(long fieldSelect, int guestSvn, long tcb) {
            calls.add("key " + fieldSelect);
            return new byte[] {(byte) 0xAB, 1};
        }

        @Override
        public Map<Long, String> rmp() {
            Map<Long, String> m = new LinkedHashMap<>();
            m.put(0x1000L, "GPA 0x800000 Guest-Valid");
            return m;
        }
    };

    private final GhcbGuest ghcb = new GhcbGuest() {
        @Override
        public long msr(int vcpu, long request) {
            calls.add("msr " + vcpu + " " + Long.toHexString(request));
            return request + 1;
        }

        @Override
        public ExitTrace vmgexit(int vcpu) {
            calls.add("vmgexit " + vcpu);
            return null;
        }

        @Override
        public long ghcbGpa(int vcpu) {
            return 0;
        }
    };

    /** A hypervisor with guest "snp" (SEV-SNP: both extensions) and guest "sev" (none). */
    private Hypervisor hypervisor() {
        return (Hypervisor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hypervisor.class},
                (p, m, args) -> switch (m.getName()) {
                    case "context" -> context(args[0].equals("snp"));
                    case "guest" -> new GuestInfo("g1", new GuestConfig((String) args[0], (String) args[0], 1,
                            "EPYC-v4", 1 << 20), GuestState.RUNNING, 1, null, 0, 0, "");
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private GuestContext context(boolean snpGuest) {
        return (GuestContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {GuestContext.class},
                (p, m, args) -> {
                    if (!m.getName().equals("extension")) {
                        throw new UnsupportedOperationException(m.getName());
                    }
                    Object ext = !snpGuest ? null : args[0] == SnpGuest.class ? snp : args[0] == GhcbGuest.class
                            ? ghcb : null;
                    return Optional.ofNullable(ext);
                });
    }

    @Test
    public void snpCommandsActOnTheGuestsSnpInterface() {
        SnpCommands c = new SnpCommands(hypervisor());
        assertEquals(List.of("0x000000001000  GPA 0x800000 Guest-Valid"), c.rmp("snp"));
        assertEquals("RMPADJUST returned 0 (success)", c.rmpadjust(true, "snp", "0x803000", "1", "0x3"));
        assertEquals("RMPADJUST returned 2 (FAIL_PERMISSION)", c.rmpadjust(false, "snp", "8392704", "3", "15"));
        assertEquals("ab01", c.key("0x8", "snp"));
        assertEquals(List.of("rmpadjust 0x803000 1 0x3 true", "rmpadjust 0x801000 3 0xF false", "key 8"), calls);
    }

    @Test
    public void snpCommandsNameTheBadArgument() {
        SnpCommands c = new SnpCommands(hypervisor());
        assertEquals("gpa 0x803001 is not 4 KiB aligned; RMPADJUST takes a page address",
                assertThrows(IllegalArgumentException.class, () -> c.rmpadjust(false, "snp", "0x803001", "1", "1"))
                        .getMessage());
        assertEquals("vmpl must be 1..3, got 0", assertThrows(IllegalArgumentException.class,
                () -> c.rmpadjust(false, "snp", "0x1000", "0", "1")).getMessage());
        assertEquals("perms 'rw' is not a number", assertThrows(IllegalArgumentException.class,
                () -> c.rmpadjust(false, "snp", "0x1000", "1", "rw")).getMessage());
        assertEquals("guest sev is a sev guest, not sev-snp", assertThrows(IllegalArgumentException.class,
                () -> c.rmp("sev")).getMessage());
        assertTrue(calls.isEmpty());
    }

    @Test
    public void ghcbCommandsSpeakTheMsrProtocolAndNameTheBadArgument() {
        GhcbCommands c = new GhcbCommands(hypervisor());
        assertEquals("0x0000000000000003  GHCBInfo 0x003", c.msr("0", "snp", "0x002"));
        assertEquals("0x0000000000000015  page state change response: done", c.msr(" 1 ", "snp", "20"));
        c.vmgexit("2", "snp");
        assertEquals(List.of("msr 0 2", "msr 1 14", "vmgexit 2"), calls);
        assertEquals("vcpu '64' is not 0..63", assertThrows(IllegalArgumentException.class,
                () -> c.msr("64", "snp", "2")).getMessage());
        assertEquals("value 'x' is not a number (decimal or 0x hex)", assertThrows(IllegalArgumentException.class,
                () -> c.msr("0", "snp", "x")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.vmgexit("0", "sev")).getMessage()
                .contains("whose vCPUs have no GHCB"));
    }

    @Test
    public void msrProtocolResponsesAreDecodedByTheGhcbSpecificationsFields() {
        // what teebox's hypervisor answers SEV_INFO: protocol 1..2, C-bit 51
        assertEquals("SEV_INFO response: GHCB protocol 1..2, C-bit position 51",
                GhcbCommands.decode(0x0002000133000001L));
        assertEquals("CPUID response: EBX = 0x68747541", GhcbCommands.decode(0x6874754140000005L));
        assertEquals("register GHCB response: GHCB at GPA 0x7F000", GhcbCommands.decode(0x7F013L));
        assertEquals("register GHCB response: refused (GFN all ones)", GhcbCommands.decode(0xFFFFFFFFFFFFF013L));
        assertEquals("page state change response: error 0x1", GhcbCommands.decode(0x100000015L));
        assertEquals("hypervisor features response: 0x1", GhcbCommands.decode(0x1081L));
    }
}
