package io.teebox.amd.snp.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.Before;
import org.junit.Test;

import io.teebox.amd.abi.SnpGuestMessage;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.guest.PrivilegeLevels;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.spi.guest.GuestAccess;

/**
 * The VMPLs of a launched SNP guest: RMPADJUST from VMPL0, the RMP's permission check of VMPL1..3 accesses (#NPF),
 * reports at a VMPL, and the RMP listing of the granted permissions.
 */
public class PrivilegeLevelsTest {

    /** Pages the launch does not touch, handed to the guest and validated by it in {@link #setUp()}. */
    private static final long PAGE = 0x30_0000;
    private static final long NEXT = PAGE + 0x1000;

    private AmdSecureProcessor sp;
    private SnpBackend snp;
    private SnpGuestInterface services;
    private MapGuestMemory mem;
    private LaunchSession s;
    private KeySlot slot;
    private final Set<Long> shared = new HashSet<>();
    private PrivilegeLevels levels;

    @Before
    public void setUp() {
        sp = AmdPlatforms.processor(Map.of("maxAsid", 100, "minSevAsid", 90));
        snp = new SnpBackend(sp);
        services = new SnpGuestInterface(sp, snp);
        mem = new MapGuestMemory(1);
        s = new SnpPlatform(sp).launch(mem, 1, 0x800F12, null);
        slot = s.keySlot();
        for (long gpa : new long[] {PAGE, NEXT}) {
            long hpa = mem.hostPhysicalAddress(gpa);
            snp.assignPage(slot, gpa, hpa);
            assertEquals(0, snp.acceptPage(slot, gpa, hpa, true));
        }
        levels = services.extension(PrivilegeLevels.class, guest()).orElseThrow();
        levels.write(0, PAGE, ascii("vtpm state"));
        levels.write(0, NEXT, ascii("next page"));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The guest as the hypervisor hands it to the backend: handle, key slot, the host's page mapping, and its
     * memory through its key (private pages) or in clear (shared ones).
     */
    private GuestAccess guest() {
        return (GuestAccess) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {GuestAccess.class},
                (p, m, args) -> switch (m.getName()) {
                    case "handle" -> s.handle();
                    case "keySlot" -> slot;
                    case "residentPages" -> new TreeMap<>(mem.hpas);
                    case "isShared" -> shared.contains((Long) args[0]);
                    case "read" -> read((Long) args[0], (Integer) args[1]);
                    case "write" -> {
                        write((Long) args[0], (byte[]) args[1]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private byte[] plaintext(long page) {
        return shared.contains(page) ? mem.readPage(page) : snp.guestDecrypt(slot, page,
                mem.hostPhysicalAddress(page), mem.readPage(page));
    }

    private byte[] read(long gpa, int length) {
        byte[] out = new byte[length];
        for (int off = 0; off < length;) {
            long page = (gpa + off) & ~0xFFFL;
            int in = (int) (gpa + off - page);
            int n = Math.min(4096 - in, length - off);
            System.arraycopy(plaintext(page), in, out, off, n);
            off += n;
        }
        return out;
    }

    private void write(long gpa, byte[] data) {
        for (int off = 0; off < data.length;) {
            long page = (gpa + off) & ~0xFFFL;
            int in = (int) (gpa + off - page);
            int n = Math.min(4096 - in, data.length - off);
            byte[] plain = plaintext(page);
            System.arraycopy(data, off, plain, in, n);
            mem.writePage(page, shared.contains(page) ? plain : snp.guestEncrypt(slot, page,
                    mem.hostPhysicalAddress(page), plain));
            off += n;
        }
    }

    @Test
    public void theGuestInterfaceOffersFourVmpls() {
        assertEquals("VMPL", levels.kind());
        assertEquals(4, levels.count());
        assertArrayEquals("VMPL0 reads as the guest's context does", ascii("vtpm state"), levels.read(0, PAGE, 10));
    }

    @Test
    public void aPermittedReadAtVmpl1SucceedsAndOtherLevelsStillFault() {
        levels.permit(PAGE, 1, true, false, false);
        assertArrayEquals(ascii("vtpm state"), levels.read(1, PAGE, 10));
        TeeException e = assertThrows(TeeException.class, () -> levels.read(2, PAGE, 10));
        assertEquals("#NPF", e.status().name());
    }

    @Test
    public void aReadWithoutPermissionIsANestedPageFaultNamingPageAndLevel() {
        TeeException e = assertThrows(TeeException.class, () -> levels.read(1, PAGE + 4, 8));
        assertEquals("x86", e.status().vendor());
        assertEquals("#NPF", e.status().name());
        assertEquals(0x400, e.status().code());
        assertTrue(e.getMessage(), e.getMessage().endsWith("VMPL1 read of GPA 0x300000 faults (#NPF, RMP "
                + "violation): the page grants VMPL1 ----; VMPL0 gave it no read permission"));
        assertTrue("one line", !e.getMessage().contains("\n"));
    }

    @Test
    public void writeOnlyAndReadOnlyPermissionsAreEnforcedAndNotGivenOnesAreTakenAway() {
        levels.permit(PAGE, 1, false, true, false);
        levels.write(1, PAGE, ascii("VTPM"));
        assertArrayEquals(ascii("VTPM state"), levels.read(0, PAGE, 10));
        assertTrue(assertThrows(TeeException.class, () -> levels.read(1, PAGE, 4)).getMessage().endsWith(
                "the page grants VMPL1 -w--; VMPL0 gave it no read permission"));

        levels.permit(PAGE, 1, true, false, false);
        assertArrayEquals(ascii("VTPM"), levels.read(1, PAGE, 4));
        TeeException e = assertThrows(TeeException.class, () -> levels.write(1, PAGE, ascii("vtpm")));
        assertTrue(e.getMessage(), e.getMessage().endsWith("VMPL1 write of GPA 0x300000 faults (#NPF, RMP "
                + "violation): the page grants VMPL1 r---; VMPL0 gave it no write permission"));
        assertArrayEquals(ascii("VTPM"), levels.read(0, PAGE, 4));
    }

    @Test
    public void aWriteThatFaultsOnItsLastPageWritesNothing() {
        levels.permit(PAGE, 2, true, true, false);
        levels.permit(NEXT, 2, true, false, false);
        byte[] before = levels.read(0, PAGE, 8192);
        byte[] spanning = new byte[16];
        Arrays.fill(spanning, (byte) 0xEE);
        TeeException e = assertThrows(TeeException.class, () -> levels.write(2, NEXT - 8, spanning));
        assertTrue(e.getMessage(), e.getMessage().contains("VMPL2 write of GPA 0x301000 faults"));
        assertArrayEquals("neither page changed", before, levels.read(0, PAGE, 8192));
        levels.write(2, NEXT - 8, Arrays.copyOf(spanning, 8));
        assertArrayEquals(Arrays.copyOf(spanning, 8), levels.read(2, NEXT - 8, 8));
    }

    @Test
    public void aPageNotValidatedCannotBePermitted() {
        long gpa = 0x40_0000;
        snp.assignPage(slot, gpa, mem.hostPhysicalAddress(gpa));
        TeeException e = assertThrows(TeeException.class, () -> levels.permit(gpa, 1, true, true, true));
        assertEquals("FAIL_INPUT", e.status().name());
        assertEquals(1, e.status().code());
        assertTrue(e.getMessage(), e.getMessage().endsWith("RMPADJUST of GPA 0x400000 for VMPL1 fails with "
                + "FAIL_INPUT (1): the page is not a validated private page of this guest at that address"));
        assertEquals("FAIL_INPUT", assertThrows(TeeException.class, () -> levels.permit(0x50_0000, 1, true, false,
                false)).status().name());
    }

    @Test
    public void levelsOutOfRangeAreRefused() {
        assertEquals("VMPL4 is out of range: SEV-SNP has VMPL0..VMPL3", assertThrows(IllegalArgumentException.class,
                () -> levels.read(4, PAGE, 1)).getMessage());
        assertEquals("VMPL-1 is out of range: SEV-SNP has VMPL0..VMPL3", assertThrows(
                IllegalArgumentException.class, () -> levels.write(-1, PAGE, new byte[1])).getMessage());
        assertThrows(IllegalArgumentException.class, () -> levels.evidence(4, Bytes.EMPTY));
        for (int level : new int[] {0, 4}) {
            TeeException e = assertThrows(TeeException.class, () -> levels.permit(PAGE, level, true, false, false));
            assertEquals("FAIL_PERMISSION", e.status().name());
            assertEquals(2, e.status().code());
            assertTrue(e.getMessage(), e.getMessage().contains("RMPADJUST of GPA 0x300000 for VMPL" + level
                    + " fails with FAIL_PERMISSION (2)"));
        }
    }

    @Test
    public void sharedPagesAreReachedByEveryLevel() {
        long gpa = 0x60_0000;
        shared.add(gpa);
        mem.writePage(gpa, Arrays.copyOf(ascii("bounce"), 4096));
        assertArrayEquals(ascii("bounce"), levels.read(3, gpa, 6));
        levels.write(3, gpa, ascii("BOUNCE"));
        assertArrayEquals(ascii("BOUNCE"), Arrays.copyOf(mem.readPage(gpa), 6));
    }

    @Test
    public void aPrivatePageTheGuestNeverHadIsAVcAtEveryLevel() {
        TeeException e = assertThrows(TeeException.class, () -> levels.read(1, 0x70_0000, 4));
        assertEquals("#VC", e.status().name());
    }

    @Test
    public void reportsCarryTheRequestingVmpl() {
        byte[] data = ascii("nonce");
        for (int level = 0; level < 4; level++) {
            SnpReport r = SnpReport.parse(levels.evidence(level, Bytes.of(data)).report());
            assertEquals(level, r.fields().u32("VMPL"));
            assertArrayEquals(Arrays.copyOf(data, 64), r.fields().bytes("REPORT_DATA"));
        }
        assertEquals("VMPL0 through the common path", 0, SnpReport.parse(snp.attest(s.handle(), null, data)
                .report()).fields().u32("VMPL"));
    }

    @Test
    public void theFirmwareRefusesAReportMorePrivilegedThanTheVmpckThatSealedIt() {
        SnpGuestContext c = sp.snpContext(s.handle());
        byte[] vmpck1 = c.vmpck(1);
        byte[] req = SnpGuestMessage.REPORT_REQ_LAYOUT.create().set("VMPL", 0L).toBytes();
        byte[] rsp = SnpGuestMessage.open(vmpck1, snp.guestRequest(s.handle(), SnpGuestMessage.seal(vmpck1, 1,
                c.expectedSeqno(1), SnpGuestMessage.REPORT_REQ, req)));
        assertEquals("INVALID_PARAM in the response's STATUS", 0x16, LittleEndian.u32(rsp, 0));
    }

    @Test
    public void theRmpListingShowsTheGrantedPermissions() {
        levels.permit(PAGE, 1, true, true, false);
        levels.permit(PAGE, 3, false, false, true);
        String line = services.pageStates(guest()).get(PAGE);
        assertEquals("RMP assigned validated ASID " + slot.id() + " VMPL0 rwxs VMPL1 rw-- VMPL2 ---- VMPL3 --xs",
                line);
        assertEquals(0x0C0003, sp.rmp().entry(mem.hostPhysicalAddress(PAGE)).vmplPerms());
    }
}
