package io.teebox.amd.sp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import io.teebox.api.tee.TeeException;

/** RMP entries through their life: hypervisor, guest-invalid, guest-valid; RMPADJUST and the access checks. */
public class RmpTest {

    @Test
    public void pageStatesPvalidateAndAccessChecks() {
        Rmp rmp = new Rmp();
        long hpa = 0x1_0000_5000L;
        assertEquals("Hypervisor", rmp.entry(hpa).state());
        assertTrue(rmp.hostMayWrite(hpa));
        assertEquals(Rmp.PVALIDATE_FAIL_INPUT, rmp.pvalidate(3, 0x5000, hpa, true));
        rmp.update(hpa, 3, 0x5000);
        assertEquals("Guest-Invalid", rmp.entry(hpa).state());
        assertEquals("#VC", assertThrows(TeeException.class, () -> rmp.checkGuestAccess(3, 0x5000, hpa)).status()
                .name());
        assertEquals(Rmp.PVALIDATE_OK, rmp.pvalidate(3, 0x5000, hpa, true));
        assertEquals(Rmp.PVALIDATE_NOUPDATE, rmp.pvalidate(3, 0x5000, hpa, true));
        assertEquals("Guest-Valid", rmp.entry(hpa).state());
        rmp.checkGuestAccess(3, 0x5000, hpa);
        assertTrue(assertThrows(TeeException.class, () -> rmp.checkGuestAccess(3, 0x6000, hpa)).getMessage()
                .contains("remapped"));
        assertThrows(TeeException.class, () -> rmp.checkGuestAccess(4, 0x5000, hpa));
        assertTrue(!rmp.hostMayWrite(hpa));
        assertEquals(Rmp.PVALIDATE_FAIL_INPUT, rmp.pvalidate(3, 0x6000, hpa, true));
    }

    @Test
    public void rmpadjustSetsLessPrivilegedVmplPermissionsOnly() {
        Rmp rmp = new Rmp();
        long hpa = 0x1_0000_7000L;
        rmp.launch(hpa, 2, 0x7000, false);
        assertEquals(0, rmp.rmpadjust(2, 0x7000, 1, 0x3, false));
        assertEquals(0, rmp.rmpadjust(2, 0x7000, 3, 0xF, true));
        assertEquals(0x0F0003, rmp.entry(hpa).vmplPerms());
        assertTrue(rmp.entry(hpa).vmsa());
        assertEquals(Rmp.RMPADJUST_FAIL_PERMISSION, rmp.rmpadjust(2, 0x7000, 0, 0xF, false));
        assertEquals(Rmp.PVALIDATE_FAIL_INPUT, rmp.rmpadjust(2, 0x7000, 1, 0x10, false));
        assertEquals("an unaligned page address", Rmp.PVALIDATE_FAIL_INPUT, rmp.rmpadjust(2, 0x7001, 1, 0x3, false));
        assertEquals(Rmp.PVALIDATE_FAIL_INPUT, rmp.rmpadjust(2, 0x8000, 1, 0x1, false));
        rmp.update(0x1_0000_8000L, 2, 0x8000);
        assertEquals("not validated", Rmp.PVALIDATE_FAIL_INPUT, rmp.rmpadjust(2, 0x8000, 1, 0x1, false));
        rmp.release(2);
        assertEquals("Hypervisor", rmp.entry(hpa).state());
    }
}
