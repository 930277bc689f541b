package io.teebox.amd.abi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

import io.teebox.kit.hex.Hex;

/**
 * KDS request paths as AMD's KDS serves them: the shapes google/go-sev-guest's {@code kds} package builds
 * ({@code VCEKCertQuery}, {@code ProductCertChainURL}, {@code CrlLinkByKey}, {@code VLEKCertQuery}), read back.
 */
public class KdsRequestTest {

    private static final byte[] CHIP = Hex.decode("0a1b2c3d4e5f6071" + "00".repeat(56));

    @Test
    public void milanVcekPathCarriesTheFourSplsAndTheHexChipId() {
        KdsRequest r = KdsRequest.vcek("Milan", CHIP, TcbVersions.decode("Milan", 0x7308000000000003L));
        assertEquals("/vcek/v1/Milan/" + Hex.encode(CHIP) + "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", r.path());
        assertEquals(r, KdsRequest.parse("/vcek/v1/Milan/" + Hex.encode(CHIP), Map.of("blSPL", "3", "teeSPL", "0",
                "snpSPL", "8", "ucodeSPL", "115")::get));
    }

    @Test
    public void turinVcekPathPutsFmcSplFirstAndUsesTheEightByteHwid() {
        KdsRequest r = KdsRequest.vcek("Turin", java.util.Arrays.copyOf(CHIP, 8), TcbVersions.encode("Turin", 1, 3,
                0, 8, 115));
        assertEquals("/vcek/v1/Turin/0a1b2c3d4e5f6071?fmcSPL=1&blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", r.path());
    }

    @Test
    public void chainsAndCrlsHaveAVcekAndAVlekTree() {
        assertEquals("/vcek/v1/Genoa/cert_chain", KdsRequest.ofProduct(KdsRequest.CERT_CHAIN, "Genoa", "vcek")
                .path());
        assertEquals("/vlek/v1/Genoa/cert_chain", KdsRequest.ofProduct(KdsRequest.CERT_CHAIN, "Genoa", "vlek")
                .path());
        assertEquals("/vcek/v1/Milan/crl", new KdsRequest("crl", Map.of("product", "Milan")).path());
        assertEquals("/vlek/v1/Milan/crl", KdsRequest.parse("/vlek/v1/Milan/crl", n -> null).path());
        assertEquals("/vlek/v1/Milan/cert?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115", KdsRequest.parse(
                "/vlek/v1/Milan/cert", Map.of("blSPL", "3", "teeSPL", "0", "snpSPL", "8", "ucodeSPL", "115")::get)
                .path());
    }

    @Test
    public void pathsTheKdsDoesNotServeAndIncompleteKeysAreNamed() {
        for (String bad : new String[] {"/vcek/v1/Milan", "/vcek/v2/Milan/crl", "/vlek/v1/Milan/0a1b", "/sgx/v1/a/b",
            "/vcek/v1//crl", "vcek/v1/Milan/crl/x"}) {
            assertTrue(bad, assertThrows(IllegalArgumentException.class, () -> KdsRequest.parse(bad, n -> null))
                    .getMessage().contains("no such KDS resource"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KdsRequest("vcek", Map.of("product",
                "Milan")).path()).getMessage().contains("hwid is missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KdsRequest("tcb", Map.of()))
                .getMessage().contains("'tcb'"));
    }
}
