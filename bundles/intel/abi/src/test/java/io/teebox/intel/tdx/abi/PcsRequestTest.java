package io.teebox.intel.tdx.abi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.Test;

/**
 * PCS API v4 requests: kind and key to the path Intel's PCS serves (go-tdx-guest's {@code pcs} package), and back;
 * the issuer chains' headers; refusals naming the kind or the key part.
 */
public class PcsRequestTest {

    private static final String PPID = "00112233445566778899aabbccddeeff";
    private static final String CPUSVN = "0102030405060708090a0b0c0d0e0f10";

    private static PcsRequest back(PcsRequest r) {
        URI u = URI.create("http://pcs" + r.path());
        Map<String, String> q = new LinkedHashMap<>();
        if (u.getRawQuery() != null) {
            for (String part : u.getRawQuery().split("&")) {
                int eq = part.indexOf('=');
                q.put(part.substring(0, eq), URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return PcsRequest.parse(u.getRawPath(), q::get);
    }

    @Test
    public void everyDocumentHasIntelsV4PathAndReadsBackFromIt() {
        PcsRequest crl = new PcsRequest("pckcrl", Map.of("ca", "platform"));
        assertEquals("/sgx/certification/v4/pckcrl?ca=platform&encoding=der", crl.path());
        assertEquals("/sgx/certification/v4/pckcrl?ca=processor&encoding=der",
                new PcsRequest("pckcrl", Map.of("ca", "processor")).path());
        PcsRequest tcb = new PcsRequest("tcb", Map.of("fmspc", "00806F050000"));
        assertEquals("the FMSPC in lower case, as Intel's PCS takes it", "/tdx/certification/v4/tcb?fmspc=00806f050000",
                tcb.path());
        PcsRequest qe = new PcsRequest("qe_identity", Map.of());
        assertEquals("/tdx/certification/v4/qe/identity", qe.path());
        PcsRequest root = new PcsRequest("rootcacrl", null);
        assertEquals("/IntelSGXRootCA.der", root.path());
        PcsRequest cert = new PcsRequest("pckcert", Map.of("ppid", PPID, "cpusvn", CPUSVN, "pcesvn", "0b00",
                "pceid", "0000"));
        assertEquals("/sgx/certification/v4/pckcert?ppid=" + PPID + "&cpusvn=" + CPUSVN + "&pcesvn=0b00&pceid=0000",
                cert.path());

        assertEquals(crl, back(crl));
        assertEquals(new PcsRequest("tcb", Map.of("fmspc", "00806f050000")), back(tcb));
        assertEquals(qe, back(qe));
        assertEquals(root, back(root));
        assertEquals(cert, back(cert));
        // the issuer chain comes in a header of the document's own answer, at the same path
        PcsRequest chain = new PcsRequest("tcb_issuer_chain", Map.of("fmspc", "00806f050000"));
        assertEquals(tcb.path(), chain.path());
        assertEquals("tcb", chain.document());
        assertEquals(new PcsRequest("tcb", Map.of("fmspc", "00806f050000")), back(chain));
    }

    @Test
    public void issuerChainsHaveIntelsHeaders() {
        assertEquals(Optional.of("SGX-PCK-CRL-Issuer-Chain"), new PcsRequest("pckcrl_issuer_chain",
                Map.of("ca", "platform")).issuerChainHeader());
        assertEquals(Optional.of("TCB-Info-Issuer-Chain"), new PcsRequest("tcb_issuer_chain",
                Map.of("fmspc", "00806f050000")).issuerChainHeader());
        assertEquals(Optional.of("SGX-Enclave-Identity-Issuer-Chain"), new PcsRequest("qe_identity_issuer_chain",
                Map.of()).issuerChainHeader());
        assertEquals(Optional.of("SGX-PCK-Certificate-Issuer-Chain"), new PcsRequest("pckcert_issuer_chain",
                Map.of("ppid", PPID, "cpusvn", CPUSVN, "pcesvn", "0b00", "pceid", "0000")).issuerChainHeader());
        assertEquals(Optional.empty(), new PcsRequest("tcb", Map.of("fmspc", "00806f050000")).issuerChainHeader());
    }

    private static String refusal(String kind, Map<String, String> key) {
        return assertThrows(IllegalArgumentException.class, () -> new PcsRequest(kind, key)).getMessage();
    }

    @Test
    public void requestsThePcsDoesNotServeAreRefusedNamingWhat() {
        assertTrue(refusal("vcek", Map.of()).startsWith("PCS request kind 'vcek' is none of [pckcrl, tcb"));
        assertTrue(refusal(null, Map.of()).startsWith("PCS request kind 'null'"));
        assertTrue("the root CA CRL has no issuer chain", refusal("rootcacrl_issuer_chain", Map.of())
                .startsWith("PCS request kind 'rootcacrl_issuer_chain'"));
        assertEquals("PCS pckcrl: ca is 'root', expected platform or processor", refusal("pckcrl", Map.of("ca",
                "root")));
        assertEquals("PCS pckcrl: ca is 'null', expected platform or processor", refusal("pckcrl_issuer_chain",
                Map.of()));
        assertEquals("PCS request: fmspc is '00806f05', expected 12 hex digits", refusal("tcb", Map.of("fmspc",
                "00806f05")));
        assertEquals("PCS request: ppid is 'null', expected 32 hex digits", refusal("pckcert", Map.of()));
        assertTrue(refusal("pckcert", Map.of("ppid", PPID, "cpusvn", CPUSVN, "pcesvn", "11", "pceid", "0000"))
                .startsWith("PCS pckcert: pcesvn is '11', expected 4 hex digits"));

        for (String path : new String[] {"/sgx/certification/v3/pckcrl", "/tdx/certification/v4/qe/identity/",
            "/sgx/certification/v4/rootcacrl", "", "/tdx/certification/v4/fmspcs"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PcsRequest.parse(path, q -> null));
            assertTrue(path + ": " + e.getMessage(), e.getMessage().startsWith("no such PCS v4 resource: '" + path
                    + "'"));
        }
        assertEquals("a path of the PCS with a query that makes no key: the key part named",
                "PCS request: fmspc is 'null', expected 12 hex digits", assertThrows(IllegalArgumentException.class,
                        () -> PcsRequest.parse("/tdx/certification/v4/tcb", q -> null)).getMessage());
    }
}
