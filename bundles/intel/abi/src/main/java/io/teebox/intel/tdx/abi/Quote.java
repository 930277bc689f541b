package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A DCAP quote of a TD, in either version the quoting enclaves produce: {@link QuoteV4} (header, the TDX 1.0 body)
 * or {@link QuoteV5} (header, a body descriptor naming a TDX 1.0 or TDX 1.5 body). {@link #parse(byte[])} reads the
 * header's version and hands the bytes to that version's parser, as go-tdx-guest's {@code QuoteToProto} does, so a
 * verifier takes either without knowing which it got.
 *
 * <p>Bytes after the signature data (a quote buffer is often larger than its quote) are not part of the quote:
 * {@link #toBytes()} gives back exactly the header, body and signature data, so
 * {@code Quote.parse(x).toBytes()} is {@code x} up to {@code signedBytes().length + 4 + signature data length}.
 */
public sealed interface Quote permits QuoteV4, QuoteV5 {

    /** ATT_KEY_TYPE: ECDSA-256 with P-256. */
    int ATT_KEY_TYPE_ECDSA_P256 = 2;
    /** TEE_TYPE of a TD quote. */
    long TEE_TYPE_TDX = 0x81;
    /** Certification data type: PCK certificate chain (PEM). */
    int CERT_TYPE_PCK_CHAIN = 5;
    /** Certification data type: QE report certification data. */
    int CERT_TYPE_QE_REPORT = 6;
    /** Quote v5 body type of a TD report for TDX 1.0 (the 584-byte body of Quote v4). */
    int BODY_TYPE_TDX10 = 2;
    /** Quote v5 body type of a TD report for TDX 1.5 (648 bytes: TEE_TCB_SVN2 and MRSERVICETD added). */
    int BODY_TYPE_TDX15 = 3;

    /**
     * Parses a quote of either version.
     *
     * @param quote the quote bytes, possibly followed by unused bytes
     * @return a {@link QuoteV4} or a {@link QuoteV5}
     * @throws MalformedStructureException naming the field that is wrong (VERSION if it is neither 4 nor 5)
     */
    static Quote parse(byte[] quote) {
        Objects.requireNonNull(quote, "quote");
        int version = version(quote);
        return switch (version) {
            case QuoteV4.VERSION -> QuoteV4.parse(quote);
            case QuoteV5.VERSION -> QuoteV5.parse(quote);
            default -> throw new MalformedStructureException("QUOTE_HEADER", "VERSION", "quote VERSION is " + version
                    + ", expected 4 or 5");
        };
    }

    /**
     * @param quote quote bytes
     * @return the header's VERSION field
     * @throws MalformedStructureException if there are not even the two bytes of VERSION
     */
    static int version(byte[] quote) {
        if (quote.length < 2) {
            throw new MalformedStructureException("QUOTE_HEADER", "VERSION", "quote is " + quote.length
                    + " bytes, too short for its VERSION");
        }
        return LittleEndian.u16(quote, 0);
    }

    /** @return the header's VERSION: 4 or 5 */
    int version();

    /** @return the body type: {@link #BODY_TYPE_TDX10} or {@link #BODY_TYPE_TDX15} */
    int bodyType();

    /** @return a copy of the header ({@link QuoteV4#HEADER}) */
    Struct header();

    /** @return a copy of the TD quote body ({@link QuoteV4#BODY} or {@link QuoteV5#BODY_TDX15}) */
    Struct body();

    /** @return the quote signature r||s, 64 bytes */
    byte[] signature();

    /** @return the attestation public key X||Y, 64 bytes */
    byte[] attestationKey();

    /** @return a copy of the QE report ({@link EnclaveReport#LAYOUT}) */
    Struct qeReport();

    /** @return the QE report signature r||s by the PCK key, 64 bytes */
    byte[] qeReportSignature();

    /** @return the QE authentication data */
    byte[] qeAuthData();

    /** @return the PEM PCK chain of certification data type 5, as the quote carries it */
    byte[] pckChainPem();

    /** @return the bytes the attestation key signs: everything before the signature-data length */
    byte[] signedBytes();

    /** @return the quote: signed bytes, signature-data length, signature data */
    byte[] toBytes();

    /** @return the PEM chain as text */
    default String pckChainText() {
        return new String(pckChainPem(), StandardCharsets.US_ASCII);
    }
}
