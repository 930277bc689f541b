package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A certificate chain in SPDM format: Length u16 (the whole chain's), Reserved u16, RootHash (H bytes, the hash of the
 * root certificate's DER), then the DER certificates, root (or the one the root signed) first, leaf last.
 *
 * @param rootHash RootHash
 * @param certificates the DER certificates in SPDM order: root first, leaf last
 */
public record CertificateChain(byte[] rootHash, List<byte[]> certificates) {

    /** Checks the sizes. */
    public CertificateChain {
        rootHash = rootHash.clone();
        certificates = certificates.stream().map(byte[]::clone).toList();
        if (rootHash.length != Spdm.HASH_SIZE) {
            throw new IllegalArgumentException("RootHash is " + rootHash.length + " bytes, expected 48");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least one certificate");
        }
        Writer.fit("Length", 4L + Spdm.HASH_SIZE + certificates.stream().mapToLong(c -> c.length).sum(), 16);
    }

    /**
     * A chain whose RootHash is the SHA-384 of its first certificate.
     *
     * @param rootFirst DER certificates, root first, leaf last
     * @return the chain
     */
    public static CertificateChain of(List<byte[]> rootFirst) {
        return new CertificateChain(Digests.sha384(rootFirst.get(0)), rootFirst);
    }

    /** @return a copy of the RootHash */
    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** @return the leaf certificate's DER */
    public byte[] leaf() {
        return certificates.get(certificates.size() - 1).clone();
    }

    /** @return the bytes GET_CERTIFICATE reads */
    public byte[] encode() {
        Writer certs = new Writer();
        certificates.forEach(certs::bytes);
        byte[] c = certs.toByteArray();
        return new Writer().u16(4 + Spdm.HASH_SIZE + c.length).u16(0).bytes(rootHash).bytes(c).toByteArray();
    }

    /** @return SHA-384 of {@link #encode()}: the slot's digest in DIGESTS and Ct in the transcripts */
    public byte[] digest() {
        return Digests.sha384(encode());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateChain c && Arrays.equals(c.encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    /**
     * Parses a chain, splitting the certificates by their DER SEQUENCE lengths.
     *
     * @param b the bytes
     * @return the chain
     * @throws MalformedStructureException if Length is not the size or a certificate's DER header is broken
     */
    public static CertificateChain parse(byte[] b) {
        Reader r = new Reader("CERT_CHAIN", b);
        int length = r.u16("Length");
        if (length != b.length) {
            throw new MalformedStructureException("CERT_CHAIN", "Length", "certificate chain Length is " + length
                    + ", but it is " + b.length + " bytes");
        }
        r.reserved("Reserved", 2);
        byte[] root = r.bytes("RootHash", Spdm.HASH_SIZE);
        List<byte[]> certs = new ArrayList<>();
        while (r.remaining() > 0) {
            int start = r.position();
            int tag = r.u8("Certificates[" + certs.size() + "] tag");
            if (tag != 0x30) {
                throw new MalformedStructureException("CERT_CHAIN", "Certificates", "certificate " + certs.size()
                        + " at offset " + start + " starts with 0x" + Integer.toHexString(tag)
                        + ", expected 0x30 (DER SEQUENCE)");
            }
            int first = r.u8("Certificates[" + certs.size() + "] length");
            int len;
            if (first < 0x80) {
                len = first;
            } else if (first == 0x81) {
                len = r.u8("Certificates length");
            } else if (first == 0x82) {
                len = r.u8("Certificates length") << 8 | r.u8("Certificates length");
            } else {
                throw new MalformedStructureException("CERT_CHAIN", "Certificates", "certificate " + certs.size()
                        + " has DER length byte 0x" + Integer.toHexString(first) + ", expected < 0x83");
            }
            int header = r.position() - start;
            r.bytes("Certificates[" + certs.size() + "]", len);
            certs.add(Arrays.copyOfRange(b, start, start + header + len));
        }
        if (certs.isEmpty()) {
            throw new MalformedStructureException("CERT_CHAIN", "Certificates", "certificate chain has no certificate");
        }
        return new CertificateChain(root, certs);
    }

    /** @return copies of the certificates */
    @Override
    public java.util.List<byte[]> certificates() {
        return certificates.stream().map(byte[]::clone).toList();
    }
}
