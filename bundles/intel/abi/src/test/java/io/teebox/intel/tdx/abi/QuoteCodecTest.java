package io.teebox.intel.tdx.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.Test;

/**
 * The versioned quote codec on genuine quotes (vectors/intel-tdx): v5 layout offsets as {@code sgx_quote_5.h} gives
 * them, dispatch on VERSION, a v5 quote with a TDX 1.0 body, and every forged length refused naming its field.
 */
public class QuoteCodecTest {

    private static byte[] vector(String name) {
        try (InputStream in = QuoteCodecTest.class.getResourceAsStream("/vectors/intel-tdx/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MalformedStructureException refused(byte[] quote) {
        return assertThrows(MalformedStructureException.class, () -> Quote.parse(quote));
    }

    @Test
    public void tdx15BodyHasTheOffsetsOfSgxReport2BodyV15() {
        assertEquals(648, QuoteV5.BODY_TDX15.size());
        assertEquals(584, QuoteV5.BODY_TDX15.offset("TEE_TCB_SVN2"));
        assertEquals(600, QuoteV5.BODY_TDX15.offset("MRSERVICETD"));
        for (String f : QuoteV4.BODY.fields()) {
            assertEquals(f, QuoteV4.BODY.offset(f), QuoteV5.BODY_TDX15.offset(f));
            assertEquals(f, QuoteV4.BODY.length(f), QuoteV5.BODY_TDX15.length(f));
        }
        assertEquals(48, QuoteV5.BODY_TYPE_OFFSET);
        assertEquals(50, QuoteV5.BODY_SIZE_OFFSET);
        assertEquals(54, QuoteV5.BODY_OFFSET);
    }

    @Test
    public void aV5QuoteWithATdx10BodyRoundTripsAndSignsDescriptorAndBody() {
        QuoteV4 v4 = QuoteV4.parse(vector("tdx_prod_quote_SPR_E4.dat"));
        var header = QuoteV4.HEADER.parse(v4.header().toBytes()).set("VERSION", 5);
        QuoteV5 v5 = new QuoteV5(header, Quote.BODY_TYPE_TDX10, v4.body(), v4.signature(), v4.attestationKey(),
                v4.qeReport(), v4.qeReportSignature(), v4.qeAuthData(), v4.pckChainPem());
        byte[] b = v5.toBytes();
        assertEquals(v4.toBytes().length + 6, b.length);
        assertEquals(2, LittleEndian.u16(b, 48));
        assertEquals(584, LittleEndian.u32(b, 50));
        assertArrayEquals(v4.body().toBytes(), Arrays.copyOfRange(b, 54, 54 + 584));
        assertEquals(54 + 584, v5.signedBytes().length);
        Quote again = Quote.parse(b);
        assertTrue(again instanceof QuoteV5);
        assertEquals(v5, again);
        assertArrayEquals(b, again.toBytes());
        assertThrows(IllegalArgumentException.class, () -> new QuoteV5(header, Quote.BODY_TYPE_TDX15, v4.body(),
                v4.signature(), v4.attestationKey(), v4.qeReport(), v4.qeReportSignature(), v4.qeAuthData(),
                v4.pckChainPem()));
    }

    @Test
    public void versionsOtherThanFourAndFiveAndV5BodyDescriptorsAreRefusedNamingTheField() {
        byte[] v5 = vector("quote_v5_sample.dat");
        byte[] v3 = v5.clone();
        v3[0] = 3;
        assertEquals("VERSION", refused(v3).field());
        assertEquals("VERSION", refused(new byte[1]).field());
        byte[] sgxBody = v5.clone();
        sgxBody[48] = 1;
        MalformedStructureException e = refused(sgxBody);
        assertEquals("BODY_TYPE", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("SGX enclave report"));
        byte[] size = v5.clone();
        LittleEndian.put32(size, 50, 584);
        assertEquals("BODY_SIZE", refused(size).field());
        assertEquals("VERSION", assertThrows(MalformedStructureException.class,
                () -> QuoteV4.parse(v5)).field());
        assertTrue(refused(Arrays.copyOf(v5, 60)).getMessage().contains("at least"));
    }

    @Test
    public void forgedLengthsAreRefusedNamingTheFieldAndNeverReadOutOfRange() {
        for (String file : new String[] {"tdx_prod_quote_SPR_E4.dat", "quote_v5_sample.dat"}) {
            byte[] raw = vector(file);
            Quote q = Quote.parse(raw);
            int lenAt = q.signedBytes().length;
            int sd = lenAt + 4;
            int qeCert = sd + 0x86;
            int authAt = qeCert + EnclaveReport.SIZE + 64;
            int innerAt = authAt + 2 + q.qeAuthData().length;
            long[][] cases = {{lenAt, 0xFFFF_FFFFL}, {lenAt, 10}, {sd + 0x82, 0xFFFF_FFFFL}, {sd + 0x82, 0},
                {innerAt + 2, 0xFFFF_FFFFL}, {innerAt + 2, 1}};
            String[] fields = {"SIGNATURE_DATA_LEN", "SIGNATURE_DATA_LEN", "CERT_DATA_SIZE", "CERT_DATA_SIZE",
                "QE_CERT_DATA_SIZE", "QE_CERT_DATA_SIZE"};
            for (int i = 0; i < cases.length; i++) {
                byte[] bad = raw.clone();
                LittleEndian.put32(bad, (int) cases[i][0], cases[i][1]);
                assertEquals(file + " case " + i, fields[i], refused(bad).field());
            }
            byte[] auth = raw.clone();
            LittleEndian.put16(auth, authAt, 0xFFFF);
            assertEquals("QE_AUTH_DATA_SIZE", refused(auth).field());
            for (int cut = 0; cut < q.toBytes().length; cut += 97) {
                byte[] shortQuote = Arrays.copyOf(raw, cut);
                assertThrows(file + " cut at " + cut, MalformedStructureException.class, () -> Quote.parse(
                        shortQuote));
            }
        }
    }
}
