package io.teebox.intel.tdx.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.testing.Fuzzing;
import java.util.Arrays;

/**
 * The signature data and certification data of a quote ({@code QuoteSignatureData}: signature, attestation key,
 * type-6 QE report certification data holding the QE report, its signature, the QE authentication data and the
 * type-5 PEM chain), as both quote versions read it. Input: the u32 signature-data length the quote would declare
 * (little-endian, as in a quote), then the bytes that follow it. Every length is checked before a copy: the result
 * is parsed data or a {@link MalformedStructureException} naming the length field; parsed data written back is
 * exactly the declared bytes.
 */
class QuoteSignatureDataFuzzTest {

    @FuzzTest
    void signatureDataParsesOrRefusesTyped(byte[] data) {
        if (data.length < 4) {
            return;
        }
        long declared = LittleEndian.u32(data, 0);
        QuoteSignatureData sd = Fuzzing.typed(() -> QuoteSignatureData.parse(data, 4, declared),
                MalformedStructureException.class);
        if (sd == null) {
            return;
        }
        check("declared length fits", declared <= data.length - 4L && declared >= QuoteSignatureData.MIN_SIZE);
        byte[] written = QuoteSignatureData.write(sd.signature, sd.attestationKey, sd.qeReport, sd.qeReportSignature,
                sd.qeAuthData, sd.pckChainPem);
        assertSame("signature data", Arrays.copyOfRange(data, 4, 4 + (int) declared), written);
    }
}
