package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.testing.Fuzzing.Parts;

/**
 * The guest policies and TCB_VERSION values users give on the command line and verifiers read from reports.
 * Input ({@link Parts}): a 64-bit value (little-endian) and a product-line selector. {@link SevPolicy} and
 * {@link SnpPolicy} refuse with a {@link TeeException} (INVALID_PARAM) or describe themselves and round-trip;
 * {@link TcbVersions#decode} refuses with the {@code IllegalArgumentException} its Javadoc names or gives
 * components that {@link TcbVersions#encode} turns back into the same value.
 */
class PoliciesFuzzTest {

    private static final String[] LINES = {"Milan", "Genoa", "Turin"};

    @FuzzTest
    void policiesAndTcbVersionsDecodeOrAreRefused(byte[] data) {
        Parts in = new Parts(data);
        long v = in.u64();
        String line = LINES[in.u8() % LINES.length];
        SevPolicy sev = typed(() -> new SevPolicy(v), TeeException.class);
        if (sev != null) {
            byte[] b = sev.bytes();
            long back = (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
            check("SEV policy bytes round-trip", back == v && new SevPolicy(back).equals(sev));
            check("SEV policy text", sev.toString().startsWith(String.format("0x%08X", v)));
        }
        SnpPolicy snp = typed(() -> new SnpPolicy(v), TeeException.class);
        if (snp != null) {
            check("SNP policy ABI", snp.abiMinor() == (v & 0xFF) && snp.abiMajor() == (v >>> 8 & 0xFF));
            check("SNP policy text", snp.toString().startsWith(String.format("0x%X", v)));
        }
        TcbVersion tcb = typed(() -> TcbVersions.decode(line, v), IllegalArgumentException.class);
        if (tcb != null) {
            var c = tcb.components();
            TcbVersion again = TcbVersions.encode(line, c.getOrDefault("FMC", 0), c.get("BOOT_LOADER"), c.get("TEE"),
                    c.get("SNP"), c.get("MICROCODE"));
            check(line + " TCB round-trips", again.equals(tcb) && again.asLong() == v);
        }
    }
}
