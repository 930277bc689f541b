package io.teebox.amd.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Signatures;
import java.math.BigInteger;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The report of the legacy SEV ATTESTATION command (0x36, SEV API 0.17 and later; 0xD0 bytes): the caller's MNONCE,
 * the guest's launch digest and policy, signed by the platform's PEK with ECDSA P-384 over SHA-256 of bytes
 * 0x00..0x33. R and S are 72-byte little-endian integers, as in SEV-format certificates.
 */
public final class SevAttestationReport {

    /** Report size. */
    public static final int SIZE = 0xD0;
    /** Bytes covered by the signature: MNONCE, LAUNCH_DIGEST and POLICY. */
    public static final int SIGNED = 0x34;
    private static final int INT = 72;

    /** The named-offset layout. */
    public static final Layout LAYOUT = Layout.define("SEV_ATTESTATION_REPORT", SIZE)
            .bytes("MNONCE", 0x00, 16).bytes("LAUNCH_DIGEST", 0x10, 32).u32("POLICY", 0x30)
            .u32("SIG_USAGE", 0x34).u32("SIG_ALGO", 0x38).reserved(0x3C, 4)
            .bytes("SIG_R", 0x40, INT).bytes("SIG_S", 0x88, INT)
            .build();

    private final Struct struct;

    private SevAttestationReport(Struct struct) {
        this.struct = struct;
    }

    /**
     * Builds and signs a report as the firmware does.
     *
     * @param mnonce the caller's 16-byte nonce
     * @param launchDigest the 32-byte SHA-256 launch digest
     * @param policy the guest policy
     * @param pekSign the PEK's ECDSA/SHA-256 signer, giving {r, s}
     * @return the signed report
     */
    public static SevAttestationReport sign(byte[] mnonce, byte[] launchDigest, long policy,
            Function<byte[], BigInteger[]> pekSign) {
        Struct s = LAYOUT.create().set("MNONCE", mnonce).set("LAUNCH_DIGEST", launchDigest).set("POLICY", policy)
                .set("SIG_USAGE", SevCertificate.USAGE_PEK).set("SIG_ALGO", SevCertificate.ALGO_ECDSA_SHA256);
        BigInteger[] rs = pekSign.apply(Arrays.copyOf(s.toBytes(), SIGNED));
        s.set("SIG_R", SevCertificate.le(rs[0])).set("SIG_S", SevCertificate.le(rs[1]));
        return new SevAttestationReport(s);
    }

    /**
     * @param bytes 0xD0 bytes
     * @return the report
     * @throws MalformedStructureException naming the field: a wrong size, a reserved byte set, a signer other than
     *             the PEK or an algorithm other than ECDSA-SHA256
     */
    public static SevAttestationReport parse(byte[] bytes) {
        Struct s = LAYOUT.parse(bytes);
        if (s.u32("SIG_USAGE") != SevCertificate.USAGE_PEK) {
            throw new MalformedStructureException(LAYOUT.name(), "SIG_USAGE", String.format("SIG_USAGE is 0x%X, "
                    + "expected 0x%X (PEK)", s.u32("SIG_USAGE"), SevCertificate.USAGE_PEK));
        }
        if (s.u32("SIG_ALGO") != SevCertificate.ALGO_ECDSA_SHA256) {
            throw new MalformedStructureException(LAYOUT.name(), "SIG_ALGO", String.format("SIG_ALGO is 0x%X, "
                    + "expected 0x%X (ECDSA-SHA256)", s.u32("SIG_ALGO"), SevCertificate.ALGO_ECDSA_SHA256));
        }
        return new SevAttestationReport(s);
    }

    /** @return the caller's nonce */
    public byte[] mnonce() {
        return struct.bytes("MNONCE");
    }

    /** @return the launch digest */
    public byte[] launchDigest() {
        return struct.bytes("LAUNCH_DIGEST");
    }

    /** @return the guest policy */
    public long policy() {
        return struct.u32("POLICY");
    }

    /** @return the signature as {r, s} */
    public BigInteger[] signature() {
        byte[] r = struct.bytes("SIG_R");
        byte[] s = struct.bytes("SIG_S");
        return new BigInteger[] {SevCertificate.fromLe(r, 0, INT), SevCertificate.fromLe(s, 0, INT)};
    }

    /**
     * @param pek the PEK public key (P-384)
     * @return whether the signature over bytes 0x00..0x33 verifies with it
     */
    public boolean verify(PublicKey pek) {
        BigInteger[] rs = signature();
        return Signatures.ecdsaVerify(pek, "SHA-256", Arrays.copyOf(struct.toBytes(), SIGNED), rs[0], rs[1]);
    }

    /** @return the 0xD0 bytes */
    public byte[] bytes() {
        return struct.toBytes();
    }

    /** @return the fields, one per line */
    public String describe() {
        return struct.describe();
    }
}
