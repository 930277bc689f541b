package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

/**
 * The certificate table of an SNP extended report (SNP_GET_EXT_REPORT, the GHCB extended guest request), as a
 * guest or verifier reads it: {@link SnpCertTable#parse} refuses with the {@code IllegalArgumentException} its
 * Javadoc names (the entry at fault), or gives certificates that a rebuilt table gives back unchanged.
 */
class SnpCertTableFuzzTest {

    @FuzzTest
    void tablesParseOrNameTheEntry(byte[] data) {
        Map<UUID, byte[]> certs = typed(() -> SnpCertTable.parse(data), IllegalArgumentException.class);
        if (certs == null) {
            return;
        }
        byte[] rebuilt = SnpCertTable.build(certs);
        Map<UUID, byte[]> again = SnpCertTable.parse(rebuilt);
        check("parse(build(parse(x))) has the same GUIDs in the same order",
                again.keySet().stream().toList().equals(certs.keySet().stream().toList()));
        check("and the same certificates", certs.keySet().stream().allMatch(g -> Arrays.equals(certs.get(g),
                again.get(g))));
        check("a rebuilt table is rebuilt byte for byte", Arrays.equals(SnpCertTable.build(again), rebuilt));
    }
}
