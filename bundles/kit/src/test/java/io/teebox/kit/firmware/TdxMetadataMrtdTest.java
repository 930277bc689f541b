package io.teebox.kit.firmware;

import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertEquals;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.testing.FirmwareVectors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.Test;

/**
 * Holds the TDX metadata parse to td-shim's MRTD calculator: computing MRTD (spec section 4.2) from the parsed
 * sections must give the "tdx-mrtd" case. MRTD itself belongs to the TDX backend; this is only a check that the
 * sections, attributes and raw-data ranges are read as td-shim reads them.
 */
public class TdxMetadataMrtdTest {

    private static byte[] block(String op, long gpa) {
        byte[] b = new byte[128];
        byte[] name = op.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, b, 0, name.length);
        LittleEndian.put64(b, 16, gpa);
        return b;
    }

    private static String mrtd(OvmfImage img) {
        byte[] file = img.bytes();
        MessageDigest md = Digests.newSha384();
        for (TdxMetadataSection s : img.tdxMetadata()) {
            if (s.pageAug()) {
                continue;
            }
            byte[] mem = new byte[(int) s.memoryDataSize()];
            System.arraycopy(file, (int) s.dataOffset(), mem, 0, (int) s.rawDataSize());
            for (int p = 0; p < mem.length; p += 4096) {
                md.update(block("MEM.PAGE.ADD", s.memoryAddress() + p));
                if (s.extendMr()) {
                    for (int c = 0; c < 4096; c += 256) {
                        md.update(block("MR.EXTEND", s.memoryAddress() + p + c));
                        md.update(mem, p + c, 256);
                    }
                }
            }
        }
        return encode(md.digest());
    }

    @Test
    public void mrtdFromParsedSectionsMatchesTdShim() {
        assertEquals(FirmwareVectors.named("tdx-mrtd").expected(), mrtd(OvmfImage.parse(FirmwareVectors.ovmf())));
    }

    @Test
    public void specRegressionVectorForOnePageAdd() {
        // spec 4.2 [self-computed]: one PAGE.ADD at GPA 0
        assertEquals("8f3e9a8aca6784eab874f7aa4dda5d49104a88047f1f86695ef2a88f5691a90e"
                + "34aac48ce45ffa1f5a23c7d62980d570", encode(Digests.sha384(block("MEM.PAGE.ADD", 0))));
    }
}
