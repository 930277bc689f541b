package io.teebox.boot.uefi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import org.junit.Test;

public class SecureBootVariablesTest {

    @Test
    public void secureBootEnabledMeasuresToTheDigestRealEventLogsShow() {
        SecureBootVariables vars = Fixtures.VENDOR.variables();
        byte[] event = vars.uefiVariableData("SecureBoot");
        // EV_EFI_VARIABLE_DRIVER_CONFIG for SecureBoot = 1: 53 bytes, SHA-256 as seen in TPM event logs of real
        // machines (see src/test/resources/README.md)
        assertEquals(53, event.length);
        assertEquals("ccfc4bb32888a345bc8aeadaba552b627d99348c767681ab3141f5b01e40a40e",
                Hex.encode(Digests.sha256(event)));
    }

    @Test
    public void variableDataCarriesGuidNameAndDatabaseBytes() {
        SecureBootVariables vars = Fixtures.VENDOR.variables();
        byte[] db = vars.data("db");
        assertArrayEquals(vars.db().toBytes(), db);
        byte[] event = vars.uefiVariableData("db");
        // EFI_IMAGE_SECURITY_DATABASE_GUID d719b2cb-3d3a-4596-a3bc-dad00e67656f in EFI byte order
        assertEquals("cbb219d73a3d9645a3bcdad00e67656f", Hex.encode(Arrays.copyOf(event, 16)));
        assertEquals("0200000000000000", Hex.encode(Arrays.copyOfRange(event, 16, 24)));
        assertEquals(db.length, io.teebox.kit.codec.LittleEndian.u64(event, 24));
        assertEquals("640062", Hex.encode(Arrays.copyOfRange(event, 32, 35)));
        assertArrayEquals(db, Arrays.copyOfRange(event, 36, event.length));
        assertArrayEquals(new byte[] {0}, vars.withSecureBoot(false).data("SecureBoot"));
        assertEquals(0, vars.data("dbx").length);
        assertEquals(EfiGuids.EFI_GLOBAL_VARIABLE, SecureBootVariables.vendorGuid("PK"));
        assertEquals("variable is \"MokList\", expected one of [SecureBoot, PK, KEK, db, dbx]",
                assertThrows(IllegalArgumentException.class, () -> vars.data("MokList")).getMessage());
    }
}
