package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.junit.Test;

/** The SGX extension of a PCK certificate: what Intel's profile allows, and every other shape refused by name. */
public class PckExtensionsTest {

    private static final String SGX = PckExtensions.OID_SGX;
    private static final KeyPair KEY = EcKeys.fromSeed("P-256", new byte[] {1, 2, 3});
    private static final X509Authority CA = X509Authority.builder().subject("CN=Intel SGX PCK Platform CA")
            .keyPair(KEY).validity(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2049-01-01T00:00:00Z"))
            .ca(0).selfSigned();

    private static DERSequence pair(String oid, ASN1Encodable v) {
        return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), v});
    }

    /** Intel's entries in Intel's order: PPID, TCB (16 components, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type. */
    private static List<ASN1Encodable> entries(UnaryOperator<List<ASN1Encodable>> tcbEdit) {
        List<ASN1Encodable> tcb = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            tcb.add(pair(SGX + ".2." + i, new ASN1Integer(i)));
        }
        tcb.add(pair(SGX + ".2.17", new ASN1Integer(13)));
        tcb.add(pair(SGX + ".2.18", new DEROctetString(new byte[16])));
        List<ASN1Encodable> out = new ArrayList<>();
        out.add(pair(SGX + ".1", new DEROctetString(new byte[16])));
        out.add(pair(SGX + ".2", new DERSequence(tcbEdit.apply(tcb).toArray(new ASN1Encodable[0]))));
        out.add(pair(SGX + ".3", new DEROctetString(new byte[] {0, 0})));
        out.add(pair(SGX + ".4", new DEROctetString(new byte[] {0, (byte) 0x80, 0x6F, 5, 0, 0})));
        out.add(pair(SGX + ".5", new ASN1Enumerated(1)));
        return out;
    }

    private static PckExtensions read(List<ASN1Encodable> entries) {
        byte[] value;
        try {
            value = new DERSequence(entries.toArray(new ASN1Encodable[0])).getEncoded("DER");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        X509Certificate pck = CA.issue().subject("CN=Intel SGX PCK Certificate").publicKey(KEY.getPublic())
                .extension(SGX, false, value).buildCertificate();
        return PckExtensions.of(pck);
    }

    private static String refusal(List<ASN1Encodable> entries) {
        return assertThrows(IllegalArgumentException.class, () -> read(entries)).getMessage();
    }

    @Test
    public void intelsEntriesAreRead() {
        PckExtensions p = read(entries(t -> t));
        assertEquals(13, p.pceSvn());
        assertEquals(16, p.tcbComponents()[15]);
        assertArrayEquals(new byte[] {0, (byte) 0x80, 0x6F, 5, 0, 0}, p.fmspc());
        assertEquals(1, p.sgxType());
    }

    @Test
    public void anEntryOutsideTheSgxArcIsRefusedNamingIt() {
        List<ASN1Encodable> e = entries(t -> t);
        e.set(3, pair("1.2.840.113741.1.13.2.4", new DEROctetString(new byte[6])));
        String why = refusal(e);
        assertTrue(why, why.contains("1.2.840.113741.1.13.2.4") && why.contains("outside " + SGX));
        List<ASN1Encodable> tcb = entries(t -> {
            t.set(0, pair("1.2.840.113741.1.13.2.2.1", new ASN1Integer(1)));
            return t;
        });
        why = refusal(tcb);
        assertTrue(why, why.contains("1.2.840.113741.1.13.2.2.1"));
    }

    @Test
    public void aTcbComponentOidThatIsNotANumberIsNamed() {
        String why = refusal(entries(t -> {
            t.set(0, pair(SGX + ".2.1.5", new ASN1Integer(1)));
            return t;
        }));
        assertEquals("unknown TCB component " + SGX + ".2.1.5", why);
    }

    @Test
    public void svnsOutsideTheirRangeAreRefusedNamingTheComponent() {
        assertEquals("TCB component 1 (" + SGX + ".2.1) is 256, expected 0..255", refusal(entries(t -> {
            t.set(0, pair(SGX + ".2.1", new ASN1Integer(256)));
            return t;
        })));
        assertEquals("TCB component 3 (" + SGX + ".2.3) is -1, expected 0..255", refusal(entries(t -> {
            t.set(2, pair(SGX + ".2.3", new ASN1Integer(-1)));
            return t;
        })));
        assertEquals("PCESVN (" + SGX + ".2.17) is 65536, expected 0..65535", refusal(entries(t -> {
            t.set(16, pair(SGX + ".2.17", new ASN1Integer(65536)));
            return t;
        })));
    }

    @Test
    public void anEntryGivenTwiceIsRefused() {
        List<ASN1Encodable> e = entries(t -> t);
        e.add(pair(SGX + ".4", new DEROctetString(new byte[6])));
        assertEquals("the SGX extension has " + SGX + ".4 twice", refusal(e));
        assertEquals("the TCB extension has " + SGX + ".2.5 twice", refusal(entries(t -> {
            t.add(pair(SGX + ".2.5", new ASN1Integer(0)));
            return t;
        })));
    }
}
