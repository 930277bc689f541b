package io.teebox.tpm.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.teebox.kit.hex.Hex;

/** The genuine vTPM vectors of a Windows GCP Shielded VM (go-attestation): parse, Name, signature, pcrDigest. */
public class GenuineVectorsTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GenuineVectorsTest.class.getResourceAsStream("/tpm/" + name)) {
            if (in == null) {
                throw new IOException("test resource /tpm/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    @Test
    public void akPublicParsesAndReserializesByteExact() throws IOException {
        byte[] bytes = resource("ak_public.tpmt_public.bin");
        TpmtPublic ak = TpmtPublic.fromBytes(bytes);
        assertEquals(TpmAlgId.RSA, ak.type());
        assertEquals(TpmAlgId.SHA256, ak.nameAlg());
        assertEquals(0x00050472, ak.objectAttributes());
        TpmsRsaParms rsa = (TpmsRsaParms) ak.parameters();
        assertEquals(2048, rsa.keyBits());
        assertEquals(TpmAlgId.RSASSA, rsa.scheme().scheme());
        assertEquals(65537, ((RSAPublicKey) ak.publicKey()).getPublicExponent().intValue());
        assertArrayEquals(bytes, ak.toBytes());
    }

    @Test
    public void akNameIsTheKnownName() throws IOException {
        TpmtPublic ak = TpmtPublic.fromBytes(resource("ak_public.tpmt_public.bin"));
        assertEquals("000b4ce9b151f75089d74c15dabe9d520cffafbcafd5d43be0aad2e2d88d54717e2e", ak.name().toString());
    }

    @Test
    public void quoteParsesAndReserializesByteExact() throws IOException {
        byte[] bytes = resource("quote.tpms_attest.bin");
        TpmsAttest a = TpmsAttest.fromBytes(bytes);
        assertEquals(0xff544347, a.magic());
        assertEquals(TpmSt.ATTEST_QUOTE, a.type());
        assertEquals(0, a.extraData().buffer().length);
        assertEquals(0x41e4356df966e035L, a.firmwareVersion());
        TpmsQuoteInfo q = (TpmsQuoteInfo) a.attested();
        assertEquals(1, q.pcrSelect().pcrSelections().size());
        TpmsPcrSelection sel = q.pcrSelect().pcrSelections().get(0);
        assertEquals(TpmAlgId.SHA1, sel.hash());
        assertEquals(24, sel.pcrs().size());
        assertEquals("a610f27bc687ce906243287d832706036e79f6e1", Hex.encode(q.pcrDigest().buffer()));
        assertArrayEquals(bytes, a.toBytes());
    }

    @Test
    public void signatureVerifiesWithTheAk() throws IOException {
        TpmtPublic ak = TpmtPublic.fromBytes(resource("ak_public.tpmt_public.bin"));
        byte[] sigBytes = resource("quote.tpmt_signature.bin");
        TpmtSignature sig = TpmtSignature.fromBytes(sigBytes);
        assertEquals(TpmAlgId.RSASSA, sig.sigAlg());
        assertEquals(TpmAlgId.SHA1, sig.hash());
        assertArrayEquals(sigBytes, sig.toBytes());
        byte[] quote = resource("quote.tpms_attest.bin");
        assertTrue(sig.verify(ak.publicKey(), quote));
        quote[quote.length - 1] ^= 1;
        assertFalse("a tampered quote must not verify", sig.verify(ak.publicKey(), quote));
    }

    @Test
    public void pcrDigestIsSha1OfTheJsonPcrs() throws IOException {
        JsonObject dump = JsonParser.parseString(new String(resource("windows_gcp_shielded_vm.json"),
                StandardCharsets.UTF_8)).getAsJsonObject();
        byte[][] pcrs = new byte[24][];
        for (JsonElement e : dump.getAsJsonObject("Log").getAsJsonArray("PCRs")) {
            JsonObject p = e.getAsJsonObject();
            pcrs[p.get("Index").getAsInt()] = Base64.getDecoder().decode(p.get("Digest").getAsString());
        }
        TpmsQuoteInfo q = (TpmsQuoteInfo) TpmsAttest.fromBytes(resource("quote.tpms_attest.bin")).attested();
        List<byte[]> selected = new ArrayList<>();
        for (int i : q.pcrSelect().pcrSelections().get(0).pcrs()) {
            selected.add(pcrs[i]);
        }
        assertArrayEquals(q.pcrDigest().buffer(), PolicyDigests.pcrDigest(TpmAlgId.SHA1, selected));
        // the JSON's copies of the binaries are the same bytes
        assertArrayEquals(resource("quote.tpms_attest.bin"),
                Base64.getDecoder().decode(dump.getAsJsonObject("Quote").get("Quote").getAsString()));
        assertArrayEquals(resource("ak_public.tpmt_public.bin"),
                Base64.getDecoder().decode(dump.getAsJsonObject("AK").get("Public").getAsString()));
    }

    @Test
    public void tamperedVectorsAreRefusedWithTheirCode() throws IOException {
        byte[] quote = resource("quote.tpms_attest.bin");
        quote[0] = 0;
        TpmException e = assertThrows(TpmException.class, () -> TpmsAttest.fromBytes(quote));
        assertEquals(TpmRc.VALUE, e.rc());
        assertEquals("TPMS_ATTEST.magic is 0x00544347, expected 0xff544347", e.getMessage());

        byte[] full = resource("quote.tpms_attest.bin");
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 1);
        assertEquals(TpmRc.INSUFFICIENT, assertThrows(TpmException.class, () -> TpmsAttest.fromBytes(cut)).rc());

        byte[] longer = java.util.Arrays.copyOf(full, full.length + 1);
        assertEquals(TpmRc.SIZE, assertThrows(TpmException.class, () -> TpmsAttest.fromBytes(longer)).rc());

        byte[] ak = resource("ak_public.tpmt_public.bin");
        ak[7] |= 0x01; // objectAttributes bit 0 is reserved
        TpmException r = assertThrows(TpmException.class, () -> TpmtPublic.fromBytes(ak));
        assertEquals(TpmRc.RESERVED_BITS, r.rc());

        byte[] sig = resource("quote.tpmt_signature.bin");
        sig[1] = 0x13; // not a signature scheme
        assertEquals(TpmRc.SCHEME, assertThrows(TpmException.class, () -> TpmtSignature.fromBytes(sig)).rc());
    }
}
