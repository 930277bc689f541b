package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The signature data that follows the signed part of a DCAP Quote v4 or v5 ({@code sgx_ql_ecdsa_sig_data_t} and
 * certification data of type 6, {@code sgx_ql_certification_data_t}): quote signature, attestation key, then the
 * QE report certification data holding the QE report, its signature, the QE authentication data and the nested
 * certification data of type 5 (the PEM PCK chain). Every length is checked against the bytes present before
 * anything is copied, so a forged length is an error naming its field, never an out-of-range read.
 */
final class QuoteSignatureData {

    /** Quote signature r||s. */
    static final int SIGNATURE_SIZE = 64;
    /** Attestation key X||Y. */
    static final int KEY_SIZE = 64;
    /** Offset of the certification data type inside the signature data. */
    static final int CERT_DATA_TYPE = 0x80;
    /** Offset of the certification data size. */
    static final int CERT_DATA_SIZE = 0x82;
    /** Offset of the certification data (the QE report certification data). */
    static final int CERT_DATA = 0x86;
    /** The smallest signature data: up to the QE report, its signature, a zero auth size and an empty type 5. */
    static final int MIN_SIZE = CERT_DATA + EnclaveReport.SIZE + SIGNATURE_SIZE + 2 + 6;

    final byte[] signature;
    final byte[] attestationKey;
    final Struct qeReport;
    final byte[] qeReportSignature;
    final byte[] qeAuthData;
    final byte[] pckChainPem;

    private QuoteSignatureData(byte[] signature, byte[] attestationKey, Struct qeReport, byte[] qeReportSignature,
            byte[] qeAuthData, byte[] pckChainPem) {
        this.signature = signature;
        this.attestationKey = attestationKey;
        this.qeReport = qeReport;
        this.qeReportSignature = qeReportSignature;
        this.qeAuthData = qeAuthData;
        this.pckChainPem = pckChainPem;
    }

    /**
     * Parses the signature data at {@code from}, whose u32 length field said {@code length} bytes.
     *
     * @param quote the whole quote
     * @param from where the signature data starts (just after its length field)
     * @param length the signature data length the quote declares
     * @return the parsed signature data; bytes after {@code from + length} are not looked at
     * @throws MalformedStructureException naming the length field that does not fit the bytes present
     */
    static QuoteSignatureData parse(byte[] quote, int from, long length) {
        long present = (long) quote.length - from;
        if (length > present) {
            throw new MalformedStructureException("QUOTE", "SIGNATURE_DATA_LEN", "signature data length says "
                    + length + " bytes, only " + Math.max(present, 0) + " follow it");
        }
        if (length < MIN_SIZE) {
            throw new MalformedStructureException("QUOTE", "SIGNATURE_DATA_LEN", "signature data length is "
                    + length + " bytes, at least " + MIN_SIZE + " are needed for the signature, key, QE report, its "
                    + "signature and the certification data headers");
        }
        int end = Math.toIntExact(from + length);
        int p = from;
        byte[] sig = Arrays.copyOfRange(quote, p, p + SIGNATURE_SIZE);
        byte[] key = Arrays.copyOfRange(quote, p + SIGNATURE_SIZE, p + SIGNATURE_SIZE + KEY_SIZE);
        int certType = LittleEndian.u16(quote, p + CERT_DATA_TYPE);
        if (certType != Quote.CERT_TYPE_QE_REPORT) {
            throw new MalformedStructureException("QUOTE", "CERT_DATA_TYPE", "certification data type is "
                    + certType + ", expected 6 (QE report certification data)");
        }
        long certSize = LittleEndian.u32(quote, p + CERT_DATA_SIZE);
        int q = p + CERT_DATA;
        if (certSize != end - q) {
            throw new MalformedStructureException("QUOTE", "CERT_DATA_SIZE", "certification data size says "
                    + certSize + " bytes, the signature data leaves " + (end - q) + " for it");
        }
        Struct qeReport = EnclaveReport.LAYOUT.parse(quote, q);
        q += EnclaveReport.SIZE;
        byte[] qeSig = Arrays.copyOfRange(quote, q, q + SIGNATURE_SIZE);
        q += SIGNATURE_SIZE;
        int authLen = LittleEndian.u16(quote, q);
        q += 2;
        if ((long) q + authLen + 6 > end) {
            throw new MalformedStructureException("QUOTE", "QE_AUTH_DATA_SIZE", "QE authentication data size "
                    + authLen + " runs past the end of the certification data (" + (end - q) + " bytes left, "
                    + "6 of them needed for the PCK chain's type and size)");
        }
        byte[] auth = Arrays.copyOfRange(quote, q, q + authLen);
        q += authLen;
        int innerType = LittleEndian.u16(quote, q);
        if (innerType != Quote.CERT_TYPE_PCK_CHAIN) {
            throw new MalformedStructureException("QUOTE", "QE_CERT_DATA_TYPE", "QE certification data type is "
                    + innerType + ", expected 5 (PCK certificate chain)");
        }
        long innerSize = LittleEndian.u32(quote, q + 2);
        q += 6;
        if (innerSize != end - q) {
            throw new MalformedStructureException("QUOTE", "QE_CERT_DATA_SIZE", "PCK chain size says " + innerSize
                    + " bytes, the certification data leaves " + (end - q) + " for it");
        }
        byte[] chain = Arrays.copyOfRange(quote, q, end);
        return new QuoteSignatureData(sig, key, qeReport, qeSig, auth, chain);
    }

    /**
     * Writes signature data from its parts.
     *
     * @return the signature data (without its own u32 length)
     */
    static byte[] write(byte[] signature, byte[] attestationKey, Struct qeReport, byte[] qeReportSignature,
            byte[] qeAuthData, byte[] pckChainPem) {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(qeReport.toBytes());
        inner.writeBytes(qeReportSignature);
        inner.writeBytes(u16(qeAuthData.length));
        inner.writeBytes(qeAuthData);
        inner.writeBytes(u16(Quote.CERT_TYPE_PCK_CHAIN));
        inner.writeBytes(u32(pckChainPem.length));
        inner.writeBytes(pckChainPem);
        byte[] certData = inner.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(signature);
        out.writeBytes(attestationKey);
        out.writeBytes(u16(Quote.CERT_TYPE_QE_REPORT));
        out.writeBytes(u32(certData.length));
        out.writeBytes(certData);
        return out.toByteArray();
    }

    static byte[] u16(int v) {
        byte[] b = new byte[2];
        LittleEndian.put16(b, 0, v);
        return b;
    }

    static byte[] u32(long v) {
        byte[] b = new byte[4];
        LittleEndian.put32(b, 0, v);
        return b;
    }
}
