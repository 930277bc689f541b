package org.example.cca.token;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.Random;
import org.junit.Test;

/** Malformed input: only CcaTokenException, one line, naming the field; the verifier never throws. */
public class ParserFuzzTest {

    private static String parseError(byte[] bytes) {
        try {
            CcaToken.parse(bytes);
            return null;
        } catch (CcaTokenException e) {
            assertFalse("multi-line message: " + e.getMessage(), e.getMessage().contains("\n"));
            assertFalse(e.getMessage().isEmpty());
            return e.getMessage();
        } catch (Throwable t) {
            throw new AssertionError("parser leaked " + t + " for input " + CcaToken.hex(bytes), t);
        }
    }

    @Test
    public void everyTruncationIsRejectedWithCcaTokenException() {
        byte[] t = GenuineTokenTest.token();
        for (int n = 0; n < t.length; n++) {
            String m = parseError(Arrays.copyOf(t, n));
            if (m == null) {
                fail("prefix of " + n + " bytes parsed");
            }
        }
    }

    @Test
    public void truncatedInnerTokensAndPayloadsAreRejected() {
        CcaToken g = CcaToken.parse(GenuineTokenTest.token());
        byte[] p = g.platformToken().encode();
        byte[] r = g.realmToken().encode();
        for (int n = 0; n < p.length; n++) {
            assertTrue(parseError(CcaToken.encodeCollection(Arrays.copyOf(p, n), r)) != null);
        }
        byte[] rp = g.realmToken().payload();
        for (int n = 0; n < rp.length; n++) {
            try {
                CcaToken.parseRealmClaims(Arrays.copyOf(rp, n));
                fail("realm payload prefix " + n + " parsed");
            } catch (CcaTokenException expected) {
                assertTrue(expected.getMessage().startsWith("realm "));
            }
        }
    }

    @Test
    public void randomByteFlipsOnlyEverThrowCcaTokenException() {
        byte[] t = GenuineTokenTest.token();
        PublicKey cpak = GenuineTokenTest.cpak();
        CcaTokenVerifier verifier = new CcaTokenVerifier();
        Random rnd = new Random(0xCCA);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 20000; i++) {
            byte[] m = t.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            if (parseError(m) == null) {
                parsed++;
            } else {
                rejected++;
            }
            if (i % 20 == 0) {
                CcaTokenVerifier.Result r = verifier.verify(m, cpak, null);
                assertFalse("a flipped token verified", r.passed());
            }
        }
        assertTrue(parsed > 0 && rejected > 0);
    }

    @Test
    public void randomBytesOnlyEverThrowCcaTokenException() {
        Random rnd = new Random(399);
        for (int i = 0; i < 5000; i++) {
            byte[] m = new byte[rnd.nextInt(64)];
            rnd.nextBytes(m);
            if (m.length > 3 && rnd.nextBoolean()) { // start like a CCA token to get deeper
                m[0] = (byte) 0xd9;
                m[1] = 0x01;
                m[2] = (byte) 0x8f;
            }
            parseError(m);
        }
    }

    @Test
    public void structuralErrorsNameTheField() {
        byte[] t = GenuineTokenTest.token();
        byte[] wrongTag = t.clone();
        wrongTag[2] = (byte) 0x90;
        assertEquals("CCA token collection: expected CBOR tag 399, got tag 400", parseError(wrongTag));

        byte[] trailing = Arrays.copyOf(t, t.length + 1);
        assertEquals("CCA token collection: trailing data after the item", parseError(trailing));

        byte[] indefinite = Arrays.copyOf(t, t.length + 1);
        indefinite[3] = (byte) 0xbf;
        indefinite[t.length] = (byte) 0xff;
        assertEquals("CCA token collection: indefinite-length encoding is not allowed", parseError(indefinite));

        byte[] noRealm = CcaToken.encodeCollection(new byte[0], new byte[0]);
        assertTrue(parseError(noRealm), parseError(noRealm).startsWith("platform token COSE_Sign1: truncated"));

        // platform token tag 18 -> tag 17 (COSE_Mac0)
        byte[] mac = t.clone();
        mac[10] = (byte) 0xd1;
        assertEquals("platform token COSE_Sign1: expected CBOR tag 18, got tag 17", parseError(mac));

        // lifecycle 0x3003 as uint16 -> a text string head: breaks the type, named by claim
        byte[] life = t.clone();
        int at = TamperAndBindingTest.indexOf(t, GenuineTokenTest.hex("19095b193003"));
        life[at + 3] = 0x62; // tstr(2) "0\x03"
        assertEquals("platform claim 2395 (lifecycle): expected integer, got text string", parseError(life));
    }
    @Test
    public void hugeDeclaredLengthsAndKeysAreRejectedWithoutAllocating() {
        // tag 399 {44234: bstr of 2^31-1 bytes (absent)}
        byte[] hugeBstr = GenuineTokenTest.hex("d9018fa119acca5a7fffffff00");
        assertTrue(parseError(hugeBstr).startsWith("CCA token collection key 44234 (platform token): malformed"));
        // a 2^64-1 bstr length
        byte[] hugerBstr = GenuineTokenTest.hex("d9018fa119acca5bffffffffffffffff00");
        assertTrue(parseError(hugerBstr) != null);
        // key 2^64-1
        byte[] hugeKey = GenuineTokenTest.hex("d9018fa11bffffffffffffffff00");
        assertTrue(parseError(hugeKey).startsWith("CCA token collection: "));
        // array of 2^32-1 REMs declared
        byte[] hugeArray = GenuineTokenTest.hex("a119accf9affffffff");
        try {
            CcaToken.parseRealmClaims(hugeArray);
            fail();
        } catch (CcaTokenException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("realm claim 44239 (REMs)"));
        }
    }

    @Test
    public void claimMapsAreStrict() {
        // {"10": h'..'} : a text key where the realm claims want integer keys
        byte[] textKey = new byte[] {(byte) 0xa1, 0x62, '1', '0', 0x41, 0x00};
        try {
            CcaToken.parseRealmClaims(textKey);
            fail();
        } catch (CcaTokenException e) {
            assertEquals("realm claims: expected an integer map key, got major type 3", e.getMessage());
        }
        // duplicate claim (an unknown one, 7, so only the duplicate is wrong)
        byte[] dup = new byte[] {(byte) 0xa2, 0x07, 0x00, 0x07, 0x00};
        try {
            CcaToken.parsePlatformClaims(dup);
            fail();
        } catch (CcaTokenException e) {
            assertEquals("platform claims: duplicate claim 7", e.getMessage());
        }
        // a missing mandatory claim is named
        CcaToken g = CcaToken.parse(GenuineTokenTest.token());
        RealmClaims rc = g.realmClaims();
        byte[] payload = CcaToken.encodeRealmClaims(rc);
        int at = TamperAndBindingTest.indexOf(payload, GenuineTokenTest.hex("19acd0"));
        payload[at + 2] = (byte) 0xd2; // key 44240 -> 44242 (unknown, ignored)
        try {
            CcaToken.parseRealmClaims(payload);
            fail();
        } catch (CcaTokenException e) {
            assertEquals("realm claim 44240 (RAK hash algorithm id): missing", e.getMessage());
        }
    }
}
