package io.teebox.tpm.abi;

/**
 * TPMS_ATTEST (Part 2, 10.12.12): what a TPM signs in TPM2_Quote, TPM2_Certify and the other attestation commands.
 * Quotes are parsed field by field; the attested part of the other types is kept as bytes.
 *
 * @param magic TPM_GENERATED_VALUE
 * @param type the TPM_ST_ATTEST_* tag
 * @param qualifiedSigner the qualified Name of the signing key
 * @param extraData the caller's qualifying data (a nonce)
 * @param clockInfo the clock information (obfuscated outside the endorsement and platform hierarchies)
 * @param firmwareVersion the TPM vendor's firmware version
 * @param attested the type-specific part
 */
public record TpmsAttest(int magic, TpmSt type, Tpm2bName qualifiedSigner, Tpm2bData extraData,
        TpmsClockInfo clockInfo, long firmwareVersion, TpmuAttest attested) {

    /** TPM_GENERATED_VALUE: 0xff 'T' 'C' 'G'. */
    public static final int TPM_GENERATED_VALUE = 0xff544347;

    /**
     * The attested part of a TPMS_ATTEST other than a quote, as bytes.
     *
     * @param bytes the marshalled TPMU_ATTEST member
     */
    public record Opaque(byte[] bytes) implements TpmuAttest {
        /**
         * Copies the bytes.
         *
         * @param bytes the marshalled member
         */
        public Opaque {
            bytes = bytes.clone();
        }

        @Override
        public void write(TpmWriter out) {
            out.bytes(bytes);
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /**
     * Checks the magic and that a quote carries TPMS_QUOTE_INFO.
     *
     * @throws TpmException with TPM_RC_VALUE for a wrong magic, TPM_RC_SELECTOR for a wrong attested part
     */
    public TpmsAttest {
        if (magic != TPM_GENERATED_VALUE) {
            throw new TpmException(TpmRc.VALUE, String.format("TPMS_ATTEST.magic is 0x%08x, expected 0x%08x", magic,
                    TPM_GENERATED_VALUE));
        }
        if ((type == TpmSt.ATTEST_QUOTE) != (attested instanceof TpmsQuoteInfo)) {
            throw new TpmException(TpmRc.SELECTOR, "TPMS_ATTEST.type is TPM_ST_" + type.name() + " with "
                    + attested.getClass().getSimpleName() + ", expected TPMS_QUOTE_INFO exactly for TPM_ST_ATTEST_QUOTE");
        }
    }

    /**
     * Parses a TPMS_ATTEST that fills the whole array (as it comes out of a TPM2B_ATTEST).
     *
     * @param data the bytes
     * @return the attestation
     * @throws TpmException with the code of the first bad field, TPM_RC_SIZE if bytes follow a quote
     */
    public static TpmsAttest fromBytes(byte[] data) {
        TpmReader in = new TpmReader(data);
        int magic = in.u32("TPMS_ATTEST.magic");
        if (magic != TPM_GENERATED_VALUE) {
            throw new TpmException(TpmRc.VALUE, String.format("TPMS_ATTEST.magic is 0x%08x, expected 0x%08x", magic,
                    TPM_GENERATED_VALUE));
        }
        int t = in.u16("TPMS_ATTEST.type");
        TpmSt type = TpmSt.fromValue(t);
        if (type.value() < TpmSt.ATTEST_NV.value() || type.value() > TpmSt.ATTEST_NV_DIGEST.value()) {
            throw new TpmException(TpmRc.TYPE, String.format("TPMS_ATTEST.type is 0x%04x, expected a TPM_ST_ATTEST_* tag",
                    t));
        }
        Tpm2bName signer = Tpm2bName.parse(in);
        Tpm2bData extra = Tpm2bData.parse(in);
        TpmsClockInfo clock = TpmsClockInfo.parse(in);
        long fw = in.u64("TPMS_ATTEST.firmwareVersion");
        TpmuAttest attested;
        if (type == TpmSt.ATTEST_QUOTE) {
            attested = TpmsQuoteInfo.parse(in);
            in.end("TPMS_ATTEST");
        } else {
            attested = new Opaque(in.bytes(in.remaining(), "TPMS_ATTEST.attested"));
        }
        return new TpmsAttest(magic, type, signer, extra, clock, fw, attested);
    }

    /**
     * Marshals it.
     *
     * @return the TPMS_ATTEST bytes
     */
    public byte[] toBytes() {
        TpmWriter out = new TpmWriter();
        out.u32(magic).u16(type.value());
        qualifiedSigner.write(out);
        extraData.write(out);
        clockInfo.write(out);
        out.u64(firmwareVersion);
        attested.write(out);
        return out.toByteArray();
    }
}
