package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The attest: commands as a user types them, through Gogo in the running platform against the real attestation
 * service over its HTTP endpoint: a running SNP guest and a TD attested in one command each (one with runtime
 * data), evidence exported by guest:attest for a challenge's report data submitted from its file, tokens decoded and
 * verified with the service's JWKS, the policy files listed with a refused one, and one-line refusals.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AttestCommandsIT extends TeeboxTestSupport {

    private Object run(String commands) throws Exception {
        return gogo(commands, "attest", "guest");
    }

    private JsonObject json(String commands) throws Exception {
        return JsonParser.parseString(String.valueOf(run(commands))).getAsJsonObject();
    }

    private String fails(String commands) throws Exception {
        return gogoFails(commands, "attest", "guest");
    }

    /** @return the decoded token, after checking it verifies with the service's key and has not expired */
    private JsonObject decodedAndVerified(String token) throws Exception {
        JsonObject d = json("attest:decode --json " + token);
        assertTrue(d.toString(), d.get("verified").getAsBoolean());
        assertTrue(d.toString(), d.get("signature").getAsString().contains("/.well-known/jwks.json"));
        assertEquals(false, d.get("expired").getAsBoolean());
        assertEquals("ES384", d.getAsJsonObject("header").get("alg").getAsString());
        return d;
    }

    @Test
    public void anSnpGuestAndATdAreAttestedInOneCommandAndTheirTokensVerify() throws Exception {
        JsonObject snp = json("guest:create -t sev-snp --cpu EPYC-Milan ac-snp; guest:launch --policy 0x30000 ac-snp; "
                + "attest:guest --json ac-snp");
        assertEquals(snp.toString(), "affirming", snp.get("status").getAsString());
        assertEquals("sev-snp-report", snp.get("format").getAsString());
        assertEquals(snp.toString(), 0, snp.getAsJsonArray("reasons").size());
        JsonObject claims = decodedAndVerified(snp.get("token").getAsString()).getAsJsonObject("claims");
        assertEquals(snp.get("nonce").getAsString(), claims.get("eat_nonce").getAsString());
        assertTrue(claims.toString(), claims.getAsJsonObject("submods").getAsJsonObject("cpu0")
                .getAsJsonObject("ear.veraison.annotated-evidence").has("snp"));

        // a TD, binding runtime data besides the nonce (the report data is the service's binding of both)
        JsonObject td = json("guest:create -t tdx ac-td; guest:launch ac-td; "
                + "attest:guest --json --runtime-data '{\"tee-pubkey\": \"k1\"}' ac-td");
        assertEquals(td.toString(), "affirming", td.get("status").getAsString());
        assertEquals("tdx-quote-v4", td.get("format").getAsString());
        JsonObject ae = decodedAndVerified(td.get("token").getAsString()).getAsJsonObject("claims")
                .getAsJsonObject("submods").getAsJsonObject("cpu0").getAsJsonObject("ear.veraison.annotated-evidence");
        assertTrue(ae.toString(), ae.has("tdx"));
        assertEquals(ae.toString(), "k1", ae.getAsJsonObject("runtime_data_claims").get("tee-pubkey").getAsString());

        // the console form: the verdict, then the token
        String text = String.valueOf(run("attest:guest ac-snp"));
        assertTrue(text, text.startsWith("ear.status: affirming (sev-snp-report, policy "));
        assertTrue(text, text.contains("\ntoken: eyJ"));
    }

    @Test
    public void evidenceExportedForAChallengeIsSubmittedFromItsFileAndANonceServesOnce() throws Exception {
        Path dir = Files.createTempDirectory("attest-it");
        Path report = dir.resolve("snp.bin");
        run("guest:create -t sev-snp --cpu EPYC-Milan af-snp; guest:launch --policy 0x30000 af-snp");
        JsonObject c = json("attest:challenge --json");
        String nonce = c.get("nonce").getAsString();
        String reportData = c.get("reportData").getAsString();
        run("guest:attest -o " + report + " " + reportData + " af-snp");
        assertTrue("guest:attest wrote the chain beside the report", Files.isRegularFile(Path.of(report
                + ".certs.pem")));
        JsonObject a = json("attest:submit --json --nonce " + nonce + " sev-snp-report " + report);
        assertEquals(a.toString(), "affirming", a.get("status").getAsString());
        assertEquals(nonce, a.get("nonce").getAsString());
        decodedAndVerified(a.get("token").getAsString());

        // the token saved to a file decodes the same
        Path token = dir.resolve("token.jwt");
        Files.writeString(token, a.get("token").getAsString() + "\n");
        assertTrue(json("attest:decode --json " + token).get("verified").getAsBoolean());

        String again = fails("attest:submit --nonce " + nonce + " sev-snp-report " + report);
        assertTrue(again, again.startsWith("attestation service refused (401 "));
        assertTrue(again, !again.contains("\n"));
        // a fresh nonce the evidence does not bind
        String other = json("attest:challenge --json").get("nonce").getAsString();
        String unbound = fails("attest:submit --nonce " + other + " sev-snp-report " + report);
        assertTrue(unbound, unbound.startsWith("attestation service refused (403 EvidenceNotBound): "));
        assertTrue(unbound, !unbound.contains("\n"));
    }

    @Test
    public void badInputGetsOneLineNamingWhatWasWrong() throws Exception {
        String noNonce = fails("attest:submit sev-snp-report /no/such/file");
        assertTrue(noNonce, noNonce.startsWith("--nonce is missing"));
        assertEquals("evidence file /no/such/file does not exist",
                fails("attest:submit --nonce x sev-snp-report /no/such/file"));
        assertEquals("token: 'garbage' is neither a token (header.payload.signature) nor a file",
                fails("attest:decode garbage"));
        String policy = fails("attest:policy no-such-policy");
        assertTrue(policy, policy.startsWith("policy 'no-such-policy' is not in force; the policies are "));
        String guest = fails("attest:guest no-such-guest");
        assertTrue(guest, guest.startsWith("no guest 'no-such-guest'"));
        assertEquals("--runtime-data is not a JSON object: [1]", fails("attest:guest --runtime-data '[1]' ac-x"));
        String help = String.valueOf(run("attest:submit --help"));
        assertTrue(help, help.contains("--nonce") && help.contains("--runtime-data"));
    }

    @Test
    public void policyFilesAreListedWithTheRefusedOnesAndShownInFull() throws Exception {
        Path dir = Path.of("config/attestation-policies");
        Files.createDirectories(dir);
        Path good = dir.resolve("it-extra.json");
        Path bad = dir.resolve("it-broken.json");
        try {
            Files.writeString(good, "{\"id\": \"it-extra\", \"description\": \"from AttestCommandsIT\", \"formats\": "
                    + "{\"sev-snp-report\": {\"policy\": {\"allow_debug\": false}}}}");
            Files.writeString(bad, "{\"id\": \"it-broken\", \"formats\": ");
            JsonArray[] rows = new JsonArray[1];
            await("the policy files are scanned", () -> {
                try {
                    rows[0] = JsonParser.parseString(String.valueOf(run("attest:policies --json")))
                            .getAsJsonArray();
                    return rows[0].toString().contains("it-extra") && rows[0].toString().contains("it-broken");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonObject extra = null;
            JsonObject broken = null;
            for (JsonElement r : rows[0]) {
                JsonObject o = r.getAsJsonObject();
                if (o.get("file").getAsString().equals("it-extra.json")) {
                    extra = o;
                } else if (o.get("file").getAsString().equals("it-broken.json")) {
                    broken = o;
                }
            }
            assertEquals(rows[0].toString(), "it-extra", extra.get("id").getAsString());
            assertEquals("in force", extra.get("state").getAsString());
            assertEquals("[\"sev-snp-report\"]", extra.get("formats").toString());
            assertEquals("refused", broken.get("state").getAsString());
            assertTrue(broken.toString(), !broken.get("reason").getAsString().isEmpty());

            JsonObject p = json("attest:policy --json it-extra");
            assertEquals("from AttestCommandsIT", p.get("description").getAsString());
            assertEquals(false, p.getAsJsonObject("formats").getAsJsonObject("sev-snp-report")
                    .getAsJsonObject("policy").get("allow_debug").getAsBoolean());

            // a guest appraised with the named policy
            JsonObject a = json("guest:create -t sev-snp --cpu EPYC-Milan ap-snp; guest:launch --policy 0x30000 ap-snp; "
                    + "attest:guest --json --policy it-extra ap-snp");
            assertEquals("it-extra", a.get("policy").getAsString());
            String wrong = fails("attest:guest --policy it-broken ap-snp");
            assertTrue(wrong, wrong.startsWith("attestation service refused (400 "));

            // attest:load: a file from elsewhere checked, written under its id and in force at once
            Path outside = Files.createTempFile("it-loaded", ".json");
            Files.writeString(outside, "{\"id\": \"it-loaded\", \"formats\": {\"sev-snp-report\": {\"policy\": "
                    + "{\"allow_debug\": false}}}}");
            assertEquals("policy it-loaded loaded from " + outside + " and in force", String.valueOf(run(
                    "attest:load " + outside)));
            assertTrue(Files.exists(dir.resolve("it-loaded.json")));
            assertEquals("it-loaded", json("attest:guest --json --policy it-loaded ap-snp").get("policy")
                    .getAsString());
            Files.writeString(outside, "{\"id\": \"it-loaded\", \"formats\": {\"sev-snp-report\": {\"policy\": "
                    + "{\"alow_debug\": false}}}}");
            String refused = fails("attest:load " + outside);
            assertTrue(refused, refused.startsWith(outside + " refused: policy it-loaded: ")
                    && refused.contains("alow_debug"));
            assertTrue(Files.readString(dir.resolve("it-loaded.json")).contains("\"allow_debug\""));
            Files.writeString(outside, "[1]");
            assertEquals(outside + " has no \"id\" string: a policy names itself", fails("attest:load " + outside));
            Files.delete(outside);
        } finally {
            Files.deleteIfExists(good);
            Files.deleteIfExists(bad);
            Files.deleteIfExists(dir.resolve("it-loaded.json"));
        }
    }
}
