package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A DCAP Quote version 5 for a TD (DCAP {@code sgx_quote_5.h}; go-tdx-guest {@code abi.go quoteToProtoV5}): the
 * 48-byte header of Quote v4 with VERSION 5, a body descriptor {@code {u16 type, u32 size}} at 48, the body at 54
 * (type 2: the TDX 1.0 body of Quote v4, 584 bytes; type 3: the TDX 1.5 body {@code sgx_report2_body_v1_5_t},
 * 648 bytes, which adds TEE_TCB_SVN2 and MRSERVICETD), then a u32 signature-data length and the same signature
 * data as Quote v4. The attestation key signs header, descriptor and body.
 *
 * @param header the header (a {@link QuoteV4#HEADER} structure with VERSION 5)
 * @param bodyType {@link Quote#BODY_TYPE_TDX10} or {@link Quote#BODY_TYPE_TDX15}
 * @param body the body: a {@link QuoteV4#BODY} for type 2, a {@link #BODY_TDX15} for type 3
 * @param signature the quote signature r||s, 64 bytes
 * @param attestationKey the attestation public key X||Y, 64 bytes
 * @param qeReport the QE report (an {@link EnclaveReport#LAYOUT} structure)
 * @param qeReportSignature the QE report signature r||s, 64 bytes
 * @param qeAuthData the QE authentication data
 * @param pckChainPem the PEM certificate chain of certification data type 5
 */
public record QuoteV5(Struct header, int bodyType, Struct body, byte[] signature, byte[] attestationKey,
        Struct qeReport, byte[] qeReportSignature, byte[] qeAuthData, byte[] pckChainPem) implements Quote {

    /** Quote version. */
    public static final int VERSION = 5;
    /** Offset of the body descriptor's u16 type. */
    public static final int BODY_TYPE_OFFSET = 0x30;
    /** Offset of the body descriptor's u32 size. */
    public static final int BODY_SIZE_OFFSET = 0x32;
    /** Offset of the body. */
    public static final int BODY_OFFSET = 0x36;

    /**
     * The TDX 1.5 body ({@code sgx_report2_body_v1_5_t}, 648 bytes): the TDX 1.0 body, then TEE_TCB_SVN2 (the TCB
     * SVNs of the TDX module now running, after a TD-preserving update) and MRSERVICETD (SERVTD_HASH of TDINFO:
     * the hash of the bound service TDs' TDINFO, zero if none is bound).
     */
    public static final Layout BODY_TDX15 = Layout.define("TD_QUOTE_BODY_1_5", 648)
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
            .bytes("TEE_TCB_SVN2", 0x248, 16)
            .bytes("MRSERVICETD", 0x258, 48)
            .build();

    /** Creates a quote; arrays are copied. */
    public QuoteV5 {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        if (header.layout() != QuoteV4.HEADER) {
            throw new IllegalArgumentException("expected a QUOTE_HEADER, got a " + header.layout().name());
        }
        Layout expected = layoutOf(bodyType);
        if (body.layout() != expected) {
            throw new IllegalArgumentException("body type " + bodyType + " takes a " + expected.name() + ", got a "
                    + body.layout().name());
        }
        if (Objects.requireNonNull(qeReport, "qeReport").layout() != EnclaveReport.LAYOUT) {
            throw new IllegalArgumentException("expected an SGX_REPORT_BODY, got a " + qeReport.layout().name());
        }
        signature = exactly(signature, 64, "QUOTE_SIG");
        attestationKey = exactly(attestationKey, 64, "ATTEST_PUB_KEY");
        qeReportSignature = exactly(qeReportSignature, 64, "QE_REPORT_SIG");
        qeAuthData = Objects.requireNonNull(qeAuthData, "qeAuthData").clone();
        if (qeAuthData.length > 0xFFFF) {
            throw new MalformedStructureException("QUOTE", "QE_AUTH_DATA", "QE authentication data is "
                    + qeAuthData.length + " bytes, at most 65535 fit its u16 size");
        }
        pckChainPem = Objects.requireNonNull(pckChainPem, "pckChainPem").clone();
        header = QuoteV4.HEADER.parse(header.toBytes());
        body = expected.parse(body.toBytes());
        qeReport = EnclaveReport.LAYOUT.parse(qeReport.toBytes());
    }

    /**
     * @param bodyType a v5 body type
     * @return its layout
     * @throws MalformedStructureException for a type other than 2 (TDX 1.0) and 3 (TDX 1.5); type 1, an SGX
     *             enclave report, is not a TD quote
     */
    public static Layout layoutOf(int bodyType) {
        return switch (bodyType) {
            case BODY_TYPE_TDX10 -> QuoteV4.BODY;
            case BODY_TYPE_TDX15 -> BODY_TDX15;
            default -> throw new MalformedStructureException("QUOTE", "BODY_TYPE", "body type is " + bodyType
                    + ", expected 2 (TD report, TDX 1.0) or 3 (TD report, TDX 1.5)"
                    + (bodyType == 1 ? "; type 1 is an SGX enclave report, not a TD quote" : ""));
        };
    }

    private static byte[] exactly(byte[] b, int n, String what) {
        Objects.requireNonNull(b, what);
        if (b.length != n) {
            throw new MalformedStructureException("QUOTE", what, what + " is " + b.length + " bytes, expected " + n);
        }
        return b.clone();
    }

    /**
     * Parses a Quote v5: the header (VERSION 5, ECDSA P-256, TEE type 0x81), the body descriptor (type 2 with size
     * 584 or type 3 with size 648), the body, and the signature data as in Quote v4. Bytes after the signature data
     * are allowed and not part of the result.
     *
     * @param quote the quote bytes
     * @return the quote
     * @throws MalformedStructureException naming the field that is wrong, what was found and what was expected
     */
    public static QuoteV5 parse(byte[] quote) {
        Objects.requireNonNull(quote, "quote");
        if (quote.length < BODY_OFFSET) {
            throw new MalformedStructureException("QUOTE", null, "quote is " + quote.length + " bytes, a Quote v5 "
                    + "needs " + BODY_OFFSET + " for its header and body descriptor");
        }
        Struct header = QuoteV4.parseHeader(quote, VERSION);
        int type = LittleEndian.u16(quote, BODY_TYPE_OFFSET);
        Layout layout = layoutOf(type);
        long size = LittleEndian.u32(quote, BODY_SIZE_OFFSET);
        if (size != layout.size()) {
            throw new MalformedStructureException("QUOTE", "BODY_SIZE", "body size is " + size + " bytes, a body of "
                    + "type " + type + " is " + layout.size());
        }
        int min = BODY_OFFSET + layout.size() + 4 + QuoteSignatureData.MIN_SIZE;
        if (quote.length < min) {
            throw new MalformedStructureException("QUOTE", null, "quote is " + quote.length + " bytes, a Quote v5 "
                    + "with body type " + type + " has at least " + min);
        }
        Struct body = layout.parse(quote, BODY_OFFSET);
        int lengthAt = BODY_OFFSET + layout.size();
        long sigLen = LittleEndian.u32(quote, lengthAt);
        QuoteSignatureData sd = QuoteSignatureData.parse(quote, lengthAt + 4, sigLen);
        return new QuoteV5(header, type, body, sd.signature, sd.attestationKey, sd.qeReport, sd.qeReportSignature,
                sd.qeAuthData, sd.pckChainPem);
    }

    /** @return 5 */
    @Override
    public int version() {
        return VERSION;
    }

    /** @return header || body descriptor || body: the bytes the attestation key signs */
    @Override
    public byte[] signedBytes() {
        byte[] b = body.toBytes();
        byte[] out = new byte[BODY_OFFSET + b.length];
        System.arraycopy(header.toBytes(), 0, out, 0, QuoteV4.HEADER.size());
        LittleEndian.put16(out, BODY_TYPE_OFFSET, bodyType);
        LittleEndian.put32(out, BODY_SIZE_OFFSET, b.length);
        System.arraycopy(b, 0, out, BODY_OFFSET, b.length);
        return out;
    }

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

    /** @return a copy of the header */
    @Override
    public Struct header() {
        return QuoteV4.HEADER.parse(header.toBytes());
    }

    /** @return a copy of the body */
    @Override
    public Struct body() {
        return body.layout().parse(body.toBytes());
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

    @Override
    public boolean equals(Object o) {
        return o instanceof QuoteV5 q && Arrays.equals(q.toBytes(), toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return "QuoteV5[body type " + bodyType + ", " + toBytes().length + " bytes]";
    }
}
