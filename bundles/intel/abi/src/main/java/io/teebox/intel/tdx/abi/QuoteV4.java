package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A DCAP Quote version 4 for a TD (DCAP {@code sgx_quote_4.h}; go-tdx-guest {@code abi/abi.go}): the 48-byte header,
 * the 584-byte TD quote body, then a u32 signature-data length and the signature data: ECDSA P-256 signature r||s
 * (big-endian) over header and body by the attestation key, the attestation public key X||Y, and certification
 * data of type 6 holding the QE report, its signature by the PCK key, the QE authentication data and certification
 * data of type 5 (the PEM PCK chain: leaf, Platform CA, root).
 *
 * @param header the header (a {@link #HEADER} structure)
 * @param body the TD quote body (a {@link #BODY} structure)
 * @param signature the quote signature r||s, 64 bytes
 * @param attestationKey the attestation public key X||Y, 64 bytes
 * @param qeReport the QE report (an {@link EnclaveReport#LAYOUT} structure)
 * @param qeReportSignature the QE report signature r||s, 64 bytes
 * @param qeAuthData the QE authentication data
 * @param pckChainPem the PEM certificate chain of certification data type 5
 */
public record QuoteV4(Struct header, Struct body, byte[] signature, byte[] attestationKey, Struct qeReport,
        byte[] qeReportSignature, byte[] qeAuthData, byte[] pckChainPem) implements Quote {

    /** Quote version. */
    public static final int VERSION = 4;
    /** ATT_KEY_TYPE: ECDSA-256 with P-256. */
    public static final int ATT_KEY_TYPE_ECDSA_P256 = 2;
    /** TEE_TYPE of a TD quote. */
    public static final long TEE_TYPE_TDX = 0x81;
    /** Certification data type: PCK certificate chain (PEM). */
    public static final int CERT_TYPE_PCK_CHAIN = 5;
    /** Certification data type: QE report certification data. */
    public static final int CERT_TYPE_QE_REPORT = 6;
    /** The Intel QE vendor id 939A7233-F79C-4CA9-940A-0DB3957F0607, as the header stores it. */
    public static final byte[] INTEL_QE_VENDOR_ID = {(byte) 0x93, (byte) 0x9A, 0x72, 0x33, (byte) 0xF7, (byte) 0x9C,
        0x4C, (byte) 0xA9, (byte) 0x94, 0x0A, 0x0D, (byte) 0xB3, (byte) 0x95, 0x7F, 0x06, 0x07};

    /**
     * The header. Bytes 8..11 are one reserved u32 in DCAP's {@code sgx_quote4_header_t}; DCAP-QVL reads them as
     * QE_SVN then PCE_SVN (the SGX Quote v3 order, the names used here), go-tdx-guest as PCE_SVN then QE_SVN. The
     * sources disagree and the genuine quotes carry zeros; teebox writes zeros there and does not check them.
     */
    public static final Layout HEADER = Layout.define("QUOTE_HEADER", 48)
            .u16("VERSION", 0x00)
            .u16("ATT_KEY_TYPE", 0x02)
            .u32("TEE_TYPE", 0x04)
            .u16("QE_SVN", 0x08)
            .u16("PCE_SVN", 0x0A)
            .bytes("QE_VENDOR_ID", 0x0C, 16)
            .bytes("USER_DATA", 0x1C, 20)
            .build();

    /** The TD quote body (TDX 1.0 layout, 584 bytes), filled from the TDREPORT. */
    public static final Layout BODY = Layout.define("TD_QUOTE_BODY", 584)
            .bytes("TEE_TCB_SVN", 0x000, 16)
            .bytes("MRSEAM", 0x010, 48)
            .bytes("MRSIGNERSEAM", 0x040, 48)
            .u64("SEAMATTRIBUTES", 0x070)
            .u64("TDATTRIBUTES", 0x078)
            .u64("XFAM", 0x080)
            .bytes("MRTD", 0x088, 48)
            .bytes("MRCONFIGID", 0x0B8, 48)
            .bytes("MROWNER", 0x0E8, 48)
            .bytes("MROWNERCONFIG", 0x118, 48)
            .bytes("RTMR0", 0x148, 48)
            .bytes("RTMR1", 0x178, 48)
            .bytes("RTMR2", 0x1A8, 48)
            .bytes("RTMR3", 0x1D8, 48)
            .bytes("REPORTDATA", 0x208, 64)
            .build();

    /** Offset of the body in the quote. */
    public static final int BODY_OFFSET = 0x30;
    /** Offset of the u32 signature-data length. */
    public static final int SIGNATURE_DATA_LENGTH_OFFSET = 0x278;
    /** Offset of the signature data. */
    public static final int SIGNATURE_DATA_OFFSET = 0x27C;
    /** Offset, inside the signature data, of the QE report (after the signature, key, type and size). */
    public static final int QE_REPORT_IN_SIGNATURE_DATA = 0x86;

    /** Creates a quote; arrays are copied. */
    public QuoteV4 {
        check(header, HEADER);
        check(body, BODY);
        check(qeReport, EnclaveReport.LAYOUT);
        signature = exactly(signature, 64, "QUOTE_SIG");
        attestationKey = exactly(attestationKey, 64, "ATTEST_PUB_KEY");
        qeReportSignature = exactly(qeReportSignature, 64, "QE_REPORT_SIG");
        qeAuthData = Objects.requireNonNull(qeAuthData, "qeAuthData").clone();
        if (qeAuthData.length > 0xFFFF) {
            throw new MalformedStructureException("QUOTE", "QE_AUTH_DATA", "QE authentication data is "
                    + qeAuthData.length + " bytes, at most 65535 fit its u16 size");
        }
        pckChainPem = Objects.requireNonNull(pckChainPem, "pckChainPem").clone();
        header = HEADER.parse(header.toBytes());
        body = BODY.parse(body.toBytes());
        qeReport = EnclaveReport.LAYOUT.parse(qeReport.toBytes());
    }

    private static void check(Struct s, Layout l) {
        if (Objects.requireNonNull(s, l.name()).layout() != l) {
            throw new IllegalArgumentException("expected a " + l.name() + ", got a " + s.layout().name());
        }
    }

    private static byte[] exactly(byte[] b, int n, String what) {
        Objects.requireNonNull(b, what);
        if (b.length != n) {
            throw new MalformedStructureException("QUOTE", what, what + " is " + b.length + " bytes, expected " + n);
        }
        return b.clone();
    }

    /**
     * Parses a quote, checking version 4, ECDSA P-256, TEE type 0x81, certification data types 6 and 5 and that
     * every length field agrees with the bytes present. Bytes after the signature data are allowed (quote buffers
     * are padded; go-tdx-guest keeps them as {@code ExtraBytes}) and are not part of the result.
     *
     * @param quote the quote bytes
     * @return the quote
     * @throws MalformedStructureException naming the field that is wrong, what was found and what was expected
     */
    public static QuoteV4 parse(byte[] quote) {
        Objects.requireNonNull(quote, "quote");
        int min = SIGNATURE_DATA_OFFSET + QuoteSignatureData.MIN_SIZE;
        if (quote.length < min) {
            throw new MalformedStructureException("QUOTE", null, "quote is " + quote.length
                    + " bytes, a Quote v4 has at least " + min);
        }
        Struct header = parseHeader(quote, VERSION);
        Struct body = BODY.parse(quote, BODY_OFFSET);
        long sigLen = LittleEndian.u32(quote, SIGNATURE_DATA_LENGTH_OFFSET);
        QuoteSignatureData sd = QuoteSignatureData.parse(quote, SIGNATURE_DATA_OFFSET, sigLen);
        return new QuoteV4(header, body, sd.signature, sd.attestationKey, sd.qeReport, sd.qeReportSignature,
                sd.qeAuthData, sd.pckChainPem);
    }

    /** Parses the 48-byte header and checks VERSION, ATT_KEY_TYPE and TEE_TYPE. */
    static Struct parseHeader(byte[] quote, int version) {
        Struct header = HEADER.parse(quote, 0);
        if (header.u16("VERSION") != version) {
            throw new MalformedStructureException("QUOTE_HEADER", "VERSION", "quote VERSION is "
                    + header.u16("VERSION") + ", expected " + version);
        }
        if (header.u16("ATT_KEY_TYPE") != ATT_KEY_TYPE_ECDSA_P256) {
            throw new MalformedStructureException("QUOTE_HEADER", "ATT_KEY_TYPE", "ATT_KEY_TYPE is "
                    + header.u16("ATT_KEY_TYPE") + ", expected 2 (ECDSA-256 with P-256)");
        }
        if (header.u32("TEE_TYPE") != TEE_TYPE_TDX) {
            throw new MalformedStructureException("QUOTE_HEADER", "TEE_TYPE", String.format(
                    "TEE_TYPE is 0x%08X, expected 0x00000081 (TDX)", header.u32("TEE_TYPE")));
        }
        return header;
    }

    /** @return the quote bytes */
    @Override
    public byte[] toBytes() {
        byte[] sd = QuoteSignatureData.write(signature, attestationKey, qeReport, qeReportSignature, qeAuthData,
                pckChainPem);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(signedBytes());
        out.writeBytes(QuoteSignatureData.u32(sd.length));
        out.writeBytes(sd);
        return out.toByteArray();
    }

    /** @return 4 */
    @Override
    public int version() {
        return VERSION;
    }

    /** @return {@link Quote#BODY_TYPE_TDX10}: a Quote v4 always carries the TDX 1.0 body */
    @Override
    public int bodyType() {
        return BODY_TYPE_TDX10;
    }

    /** @return header || body: the 632 bytes the attestation key signs */
    @Override
    public byte[] signedBytes() {
        byte[] out = new byte[SIGNATURE_DATA_LENGTH_OFFSET];
        System.arraycopy(header.toBytes(), 0, out, 0, 48);
        System.arraycopy(body.toBytes(), 0, out, BODY_OFFSET, 584);
        return out;
    }

    /** @return a copy of the header */
    @Override
    public Struct header() {
        return HEADER.parse(header.toBytes());
    }

    /** @return a copy of the body */
    @Override
    public Struct body() {
        return BODY.parse(body.toBytes());
    }

    /** @return a copy of the QE report */
    @Override
    public Struct qeReport() {
        return EnclaveReport.LAYOUT.parse(qeReport.toBytes());
    }

    /** @return a copy of the signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** @return a copy of the attestation key */
    @Override
    public byte[] attestationKey() {
        return attestationKey.clone();
    }

    /** @return a copy of the QE report signature */
    @Override
    public byte[] qeReportSignature() {
        return qeReportSignature.clone();
    }

    /** @return a copy of the QE authentication data */
    @Override
    public byte[] qeAuthData() {
        return qeAuthData.clone();
    }

    /** @return a copy of the PEM chain bytes */
    @Override
    public byte[] pckChainPem() {
        return pckChainPem.clone();
    }

    /** @return the PEM chain as text */
    @Override
    public String pckChainText() {
        return new String(pckChainPem, StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuoteV4 q && Arrays.equals(q.toBytes(), toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return "QuoteV4[" + toBytes().length + " bytes]";
    }
}
