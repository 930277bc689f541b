package io.teebox.tpm.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

import org.junit.Test;

/**
 * The HCL report of NV index 0x01400001 at the offsets openvmm's IgvmAttestRequestBase gives, both ways, and each
 * field that is wrong refused by name.
 */
public class HclReportTest {

    private static final byte[] CLAIMS = "{\"keys\":[],\"vm-configuration\":{}}".getBytes(StandardCharsets.UTF_8);

    private static byte[] snpReport() {
        byte[] r = new byte[1184];
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) (i * 7 + 1);
        }
        return r;
    }

    private static int le(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    @Test
    public void theFieldsSitWhereTheParavisorPutsThem() {
        byte[] b = new HclReport(HclReport.SNP_VM_REPORT, snpReport(), CLAIMS).toBytes();
        assertEquals(0x4D4 + CLAIMS.length, b.length);
        assertEquals("HCLA", new String(b, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(2, le(b, 4));
        assertEquals(b.length, le(b, 8));
        assertEquals("request type: AK certificate", 2, le(b, 12));
        assertEquals("status", 0, le(b, 16));
        assertArrayEquals(new byte[12], Arrays.copyOfRange(b, 20, 32));
        assertArrayEquals(snpReport(), Arrays.copyOfRange(b, 0x20, 0x20 + 1184));
        assertEquals(20 + CLAIMS.length, le(b, 0x4C0));
        assertEquals(1, le(b, 0x4C4));
        assertEquals("SNP", 2, le(b, 0x4C8));
        assertEquals("SHA-256", 1, le(b, 0x4CC));
        assertEquals(CLAIMS.length, le(b, 0x4D0));
        assertArrayEquals(CLAIMS, Arrays.copyOfRange(b, 0x4D4, b.length));
    }

    @Test
    public void snpAndTdxReportsRoundTripAndBindTheirClaims() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(CLAIMS);
        byte[] snp = snpReport();
        Arrays.fill(snp, 0x50, 0x90, (byte) 0);
        System.arraycopy(digest, 0, snp, 0x50, 32);
        HclReport s = new HclReport(HclReport.SNP_VM_REPORT, snp, CLAIMS);
        HclReport back = HclReport.parse(s.toBytes());
        assertEquals(s, back);
        assertArrayEquals(back.expectedReportData(), back.hardwareReportData());

        byte[] td = new byte[1024];
        System.arraycopy(digest, 0, td, 0x80, 32);
        HclReport t = new HclReport(HclReport.TDX_VM_REPORT, td, CLAIMS);
        byte[] tb = t.toBytes();
        assertArrayEquals("the TDREPORT's slot is zero-padded", new byte[0x4A0 - 1024], Arrays.copyOfRange(tb,
                0x20 + 1024, 0x4C0));
        assertEquals(t, HclReport.parse(tb));
        assertArrayEquals(t.expectedReportData(), HclReport.parse(tb).hardwareReportData());
        assertEquals("an NV index read whole may run past the report", t, HclReport.parse(Arrays.copyOf(tb,
                tb.length + 100)));
    }

    private static String refused(byte[] b) {
        return assertThrows(IllegalArgumentException.class, () -> HclReport.parse(b)).getMessage();
    }

    @Test
    public void eachWrongFieldIsRefusedByName() {
        byte[] good = new HclReport(HclReport.SNP_VM_REPORT, snpReport(), CLAIMS).toBytes();
        assertTrue(refused(Arrays.copyOf(good, 100)).contains("shorter than"));

        byte[] b = good.clone();
        b[0] ^= 1;
        assertTrue(refused(b), refused(b).contains("signature"));

        b = good.clone();
        b[0x4C8] = 3;
        assertTrue(refused(b), refused(b).contains("type 3"));

        b = good.clone();
        b[0x4CC] = 2;
        assertTrue(refused(b), refused(b).contains("report_data_hash_type"));

        b = good.clone();
        b[0x4D0] = (byte) (CLAIMS.length + 1);
        assertTrue(refused(b), refused(b).contains("variable_data_size"));

        b = good.clone();
        b[8]++;
        assertTrue(refused(b), refused(b).contains("report_size"));

        b = good.clone();
        b[0x4C0]++;
        assertTrue(refused(b), refused(b).contains("data_size"));

        byte[] td = new HclReport(HclReport.TDX_VM_REPORT, new byte[1024], CLAIMS).toBytes();
        td[0x20 + 1024] = 1;
        assertTrue(refused(td), refused(td).contains("non-zero byte"));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> new HclReport(HclReport.SNP_VM_REPORT,
                new byte[1024], CLAIMS)).getMessage().contains("expected 1184"));
    }
}
