package org.example.cca.rmm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.Test;

/** The RIM is computed from the RMM's measurement descriptors at the offsets TF-RMM asserts. */
public class RimTest {

    private static final RealmParams PARAMS = RealmParams.defaults(0, HashAlgorithm.SHA_256, null);

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    public void theInitialRimIsTheHashOfTheMeasuredRealmParamsWithoutRpvOrRtt() {
        byte[] rpv = new byte[64];
        rpv[0] = 7;
        RealmParams p = new RealmParams(0x5, 40, 1, 6, 4, 2, HashAlgorithm.SHA_256, rpv, 9, 0x1234000);
        byte[] page = new byte[4096];
        ByteBuffer b = le(page);
        b.putLong(0x0, 0x5);
        b.putInt(0x8, 40);
        b.putInt(0x10, 1);
        b.putInt(0x18, 6);
        b.putInt(0x20, 4);
        b.putInt(0x28, 2);
        page[0x30] = 0;
        assertArrayEquals("the measured structure: flags, s2sz, sve_vl, num_bps, num_wps, pmu_num_ctrs, hash_algo",
                page, p.measuredBytes());
        assertArrayEquals(HashAlgorithm.SHA_256.hash(page), Rim.start(p).value());
        RealmParams otherRpv = new RealmParams(0x5, 40, 1, 6, 4, 2, HashAlgorithm.SHA_256, new byte[64], 3, 0);
        assertArrayEquals("the RPV, VMID and RTT base are not measured", Rim.start(p).value(),
                Rim.start(otherRpv).value());
        byte[] full = p.toBytes();
        assertEquals("the host's structure carries the RPV at 0x400", 7, full[0x400]);
        assertEquals("and the VMID at 0x800", 9, le(full).getShort(0x800));
    }

    @Test
    public void aDataDescriptorHasTheSpecLayout() {
        Rim rim = Rim.start(PARAMS);
        byte[] before = rim.value();
        byte[] granule = new byte[4096];
        Arrays.fill(granule, (byte) 0xA5);
        byte[] d = rim.dataDescriptor(0x200000, Rim.MEASURE_CONTENT, granule);
        assertEquals(0x100, d.length);
        assertEquals("desc_type DATA", 0, d[0]);
        assertEquals("len", 0x100, le(d).getLong(0x8));
        assertArrayEquals("rim at 0x10", before, Arrays.copyOfRange(d, 0x10, 0x30));
        assertArrayEquals("the rest of the 64-byte rim field is zero for SHA-256", new byte[32],
                Arrays.copyOfRange(d, 0x30, 0x50));
        assertEquals("ipa at 0x50", 0x200000, le(d).getLong(0x50));
        assertEquals("flags at 0x58", 1, le(d).getLong(0x58));
        assertArrayEquals("content at 0x60", HashAlgorithm.SHA_256.hash(granule), Arrays.copyOfRange(d, 0x60, 0x80));
        rim.data(0x200000, Rim.MEASURE_CONTENT, granule);
        assertArrayEquals("RIM' = H(descriptor)", HashAlgorithm.SHA_256.hash(d), rim.value());
    }

    @Test
    public void unmeasuredContentLeavesTheContentFieldZeroButTheAddressCounts() {
        byte[] a = new byte[4096];
        byte[] b = new byte[4096];
        b[100] = 1;
        Rim base = Rim.start(PARAMS);
        byte[] d = base.dataDescriptor(0x300000, Rim.NO_MEASURE_CONTENT, b);
        assertArrayEquals(new byte[0xA0], Arrays.copyOfRange(d, 0x60, 0x100));
        assertArrayEquals("RMI_NO_MEASURE_CONTENT: the content does not change the RIM",
                Rim.start(PARAMS).data(0x300000, 0, a).value(), Rim.start(PARAMS).data(0x300000, 0, b).value());
        assertFalse("the IPA does", Arrays.equals(Rim.start(PARAMS).data(0x300000, 0, a).value(),
                Rim.start(PARAMS).data(0x301000, 0, a).value()));
        assertFalse("measured content does", Arrays.equals(Rim.start(PARAMS).data(0x300000, 1, a).value(),
                Rim.start(PARAMS).data(0x300000, 1, b).value()));
    }

    @Test
    public void recAndRipasDescriptorsHaveTheSpecLayout() {
        Rim rim = Rim.start(PARAMS);
        RecParams rec = new RecParams(RecParams.RUNNABLE, 3, 0x200000, new long[] {0x100000, 0, 0, 0, 0, 0, 0, 9});
        byte[] measured = rec.measuredBytes();
        assertEquals("flags at 0", 1, le(measured).getLong(0));
        assertEquals("MPIDR is not measured", 0, le(measured).getLong(0x100));
        assertEquals("pc at 0x200", 0x200000, le(measured).getLong(0x200));
        assertEquals("gprs[0] at 0x300", 0x100000, le(measured).getLong(0x300));
        assertEquals("gprs[7] at 0x338", 9, le(measured).getLong(0x338));
        byte[] d = rim.recDescriptor(rec);
        assertEquals("desc_type REC", 1, d[0]);
        assertEquals(0x100, le(d).getLong(8));
        assertArrayEquals("content at 0x50", HashAlgorithm.SHA_256.hash(measured), Arrays.copyOfRange(d, 0x50,
                0x70));
        byte[] r = rim.ripasDescriptor(0x100000, 0x101000);
        assertEquals("desc_type RIPAS", 2, r[0]);
        assertEquals("base at 0x50", 0x100000, le(r).getLong(0x50));
        assertEquals("top at 0x58", 0x101000, le(r).getLong(0x58));
        assertArrayEquals(new byte[0x100 - 0x60], Arrays.copyOfRange(r, 0x60, 0x100));
    }

    @Test
    public void sha512RimsAre64BytesAndDiffer() {
        RealmParams p = RealmParams.defaults(0, HashAlgorithm.SHA_512, null);
        byte[] v = RealmImage.measure(p, null, 1).value();
        assertEquals(64, v.length);
        assertFalse(Arrays.equals(Arrays.copyOf(v, 32), RealmImage.measure(PARAMS, null, 1).value()));
    }

    @Test
    public void theImageRimChangesWithOneKernelByteAndNotWithANonRunnableRecsParams() {
        byte[] k = RealmImage.defaultKernel();
        byte[] rim = RealmImage.measure(PARAMS, k, 1).value();
        byte[] k2 = k.clone();
        k2[5000] ^= 1;
        assertFalse(Arrays.equals(rim, RealmImage.measure(PARAMS, k2, 1).value()));
        assertFalse("REC 1 is not runnable", RealmImage.rec(1).runnable());
        Rim manual = Rim.start(PARAMS).ripas(RealmImage.DTB_IPA, RealmImage.DTB_IPA + 4096).data(RealmImage.DTB_IPA,
                Rim.MEASURE_CONTENT, RealmImage.deviceTree(2));
        manual.ripas(RealmImage.KERNEL_IPA, RealmImage.KERNEL_IPA + k.length);
        for (int off = 0; off < k.length; off += 4096) {
            manual.data(RealmImage.KERNEL_IPA + off, Rim.MEASURE_CONTENT, Arrays.copyOfRange(k, off, off + 4096));
        }
        manual.rec(RealmImage.rec(0));
        assertArrayEquals("two vCPUs: REC 0 is measured, REC 1 (not runnable) is not, as TF-RMM does",
                manual.value(), RealmImage.measure(PARAMS, k, 2).value());
    }

    @Test
    public void badParametersAreRefusedNamingTheField() {
        assertEquals("hash_algo 7 is neither RMI_HASH_SHA_256 (0) nor RMI_HASH_SHA_512 (1)",
                assertThrows(IllegalArgumentException.class, () -> HashAlgorithm.of(7)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RealmImage.params(1L << 12, null));
        assertThrows(IllegalArgumentException.class, () -> new RealmParams(0, 60, 0, 0, 0, 0, HashAlgorithm.SHA_256,
                null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RecParams(0, 0, 0, new long[7]));
    }
}
