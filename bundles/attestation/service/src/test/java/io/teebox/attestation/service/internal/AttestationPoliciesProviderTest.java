package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.attestation.api.AttestationRefused;

public class AttestationPoliciesProviderTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path dir;
    private final List<String> log = new ArrayList<>();
    private PolicyDirectory directory;
    private AttestationPoliciesProvider provider;

    private static final String M1 = "aa".repeat(48);
    private static final String M2 = "bb".repeat(48);

    @Before
    public void setUp() throws Exception {
        dir = tmp.newFolder("policies").toPath();
        Files.writeString(dir.resolve("default.json"), "{\"id\":\"default\",\"formats\":{\"sev-snp-report\":"
                + "{\"policy\":{\"allow_debug\":false}}}}");
        directory = new PolicyDirectory(dir, log::add);
        directory.scan();
        provider = new AttestationPoliciesProvider(directory);
    }

    @Test
    public void aNewPolicyIsWrittenToItsFileAndInForceAtOnce() throws Exception {
        String json = "{\"id\":\"prod\",\"formats\":{\"tdx-quote-v4\":{\"reference_values\":{\"mrtd\":\"" + M1
                + "\"}}}}";
        provider.setPolicy("prod", json);
        assertEquals(List.of("default", "prod"), provider.ids());
        assertEquals(json + "\n", Files.readString(dir.resolve("prod.json"), StandardCharsets.UTF_8));
        assertEquals(json + "\n", provider.policy("prod").orElseThrow());
        assertEquals("prod", directory.select("prod", "tdx-quote-v4").id());
        assertEquals(Map.of("tdx-quote-v4", Map.of("mrtd", List.of(M1))), provider.referenceValues("prod"));
        assertTrue(provider.policy("nope").isEmpty());
    }

    @Test
    public void aReferenceValueIsSetInThePolicyKeepingTheRest() throws Exception {
        provider.setReferenceValues("default", "sev-snp-report", "measurement", List.of(M1));
        assertEquals(Map.of("sev-snp-report", Map.of("measurement", List.of(M1))),
                provider.referenceValues("default"));
        assertEquals(M1, directory.select(null, "sev-snp-report").formats().get("sev-snp-report")
                .referenceValues().get("measurement"));
        assertEquals("false", directory.policies().get("default").formats().get("sev-snp-report").policy()
                .get("allow_debug"));
        provider.setReferenceValues("default", "sev-snp-report", "measurement", List.of(M1, M2));
        provider.setReferenceValues("default", "tdx-quote-v4", "rtmr0", List.of(M2));
        Map<String, Map<String, List<String>>> refs = provider.referenceValues("default");
        assertEquals(List.of(M1, M2), refs.get("sev-snp-report").get("measurement"));
        assertEquals(List.of(M2), refs.get("tdx-quote-v4").get("rtmr0"));
        assertTrue(Files.readString(dir.resolve("default.json")).contains("\"rtmr0\""));
    }

    @Test
    public void refusalsNameTheReasonAndChangeNothing() throws Exception {
        String before = Files.readString(dir.resolve("default.json"));
        refused(400, "policy default: formats must be an object", () -> provider.setPolicy("default",
                "{\"id\":\"default\",\"formats\":{}}"));
        refused(400, "the policy's id is 'other', not 'default'", () -> provider.setPolicy("default",
                "{\"id\":\"other\",\"formats\":{\"sev-snp-report\":{}}}"));
        refused(400, "policy default: ", () -> provider.setPolicy("default", "{not json"));
        refused(400, "policy default: formats.sev-snp-report.reference_values.mesurement",
                () -> provider.setReferenceValues("default", "sev-snp-report", "mesurement", List.of(M1)));
        refused(400, "policy default: formats.sev-snp-report.reference_values.measurement",
                () -> provider.setReferenceValues("default", "sev-snp-report", "measurement", List.of("xyz")));
        refused(400, "reference value sev-snp-report.measurement of default: give at least one value",
                () -> provider.setReferenceValues("default", "sev-snp-report", "measurement", List.of()));
        refused(404, "no attestation policy 'prod'; in force: [default]",
                () -> provider.setReferenceValues("prod", "sev-snp-report", "measurement", List.of(M1)));
        refused(404, "no attestation policy 'prod'", () -> provider.referenceValues("prod"));
        assertEquals(before, Files.readString(dir.resolve("default.json")));
        assertEquals(List.of("default"), provider.ids());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertFalse(log.toString(), log.stream().anyMatch(l -> l.contains("refused")));
    }

    private static void refused(int status, String start, Runnable r) {
        try {
            r.run();
            fail("accepted; expected " + start);
        } catch (AttestationRefused e) {
            assertEquals(e.getMessage(), status, e.status());
            assertTrue(e.getMessage(), e.getMessage().startsWith(start));
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
        }
    }
}
