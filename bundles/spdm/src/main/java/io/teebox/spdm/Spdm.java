package io.teebox.spdm;

/**
 * DSP0274 1.1 constants: versions, request and response codes, capability flags, algorithm bits, and the sizes of the
 * one cipher suite this library speaks (ECDSA P-384, SHA-384, secp384r1, AES-256-GCM, the SPDM key schedule).
 */
public final class Spdm {

    private Spdm() {
    }

    /** SPDMVersion of GET_VERSION and VERSION. */
    public static final int VERSION_10 = 0x10;
    /** SPDMVersion 1.1, the version negotiated. */
    public static final int VERSION_11 = 0x11;
    /** VERSION entry for 1.1 (MajorVersion 1, MinorVersion 1, Update 0, Alpha 0). */
    public static final int VERSION_ENTRY_11 = 0x1100;
    /** VERSION entry for 1.0. */
    public static final int VERSION_ENTRY_10 = 0x1000;

    /** GET_DIGESTS. */
    public static final int GET_DIGESTS = 0x81;
    /** GET_CERTIFICATE. */
    public static final int GET_CERTIFICATE = 0x82;
    /** CHALLENGE (not implemented). */
    public static final int CHALLENGE = 0x83;
    /** GET_VERSION. */
    public static final int GET_VERSION = 0x84;
    /** GET_MEASUREMENTS. */
    public static final int GET_MEASUREMENTS = 0xE0;
    /** GET_CAPABILITIES. */
    public static final int GET_CAPABILITIES = 0xE1;
    /** NEGOTIATE_ALGORITHMS. */
    public static final int NEGOTIATE_ALGORITHMS = 0xE3;
    /** KEY_EXCHANGE. */
    public static final int KEY_EXCHANGE = 0xE4;
    /** FINISH. */
    public static final int FINISH = 0xE5;
    /** KEY_UPDATE (not implemented). */
    public static final int KEY_UPDATE = 0xE9;
    /** END_SESSION (not implemented). */
    public static final int END_SESSION = 0xEC;

    /** DIGESTS. */
    public static final int DIGESTS = 0x01;
    /** CERTIFICATE. */
    public static final int CERTIFICATE = 0x02;
    /** VERSION. */
    public static final int VERSION = 0x04;
    /** MEASUREMENTS. */
    public static final int MEASUREMENTS = 0x60;
    /** CAPABILITIES. */
    public static final int CAPABILITIES = 0x61;
    /** ALGORITHMS. */
    public static final int ALGORITHMS = 0x63;
    /** KEY_EXCHANGE_RSP. */
    public static final int KEY_EXCHANGE_RSP = 0x64;
    /** FINISH_RSP. */
    public static final int FINISH_RSP = 0x65;
    /** ERROR. */
    public static final int ERROR = 0x7F;

    /** CAPABILITIES flag CACHE_CAP. */
    public static final int CAP_CACHE = 1;
    /** CERT_CAP. */
    public static final int CAP_CERT = 1 << 1;
    /** CHAL_CAP. */
    public static final int CAP_CHAL = 1 << 2;
    /** MEAS_CAP = 01b: measurements without signature. */
    public static final int CAP_MEAS_NO_SIG = 1 << 3;
    /** MEAS_CAP = 10b: measurements with signature. */
    public static final int CAP_MEAS_SIG = 2 << 3;
    /** MEAS_FRESH_CAP. */
    public static final int CAP_MEAS_FRESH = 1 << 5;
    /** ENCRYPT_CAP. */
    public static final int CAP_ENCRYPT = 1 << 6;
    /** MAC_CAP. */
    public static final int CAP_MAC = 1 << 7;
    /** MUT_AUTH_CAP. */
    public static final int CAP_MUT_AUTH = 1 << 8;
    /** KEY_EX_CAP. */
    public static final int CAP_KEY_EX = 1 << 9;
    /** PSK_CAP (2 bits). */
    public static final int CAP_PSK_MASK = 3 << 10;
    /** ENCAP_CAP. */
    public static final int CAP_ENCAP = 1 << 12;
    /** HBEAT_CAP. */
    public static final int CAP_HBEAT = 1 << 13;
    /** KEY_UPD_CAP. */
    public static final int CAP_KEY_UPD = 1 << 14;
    /** HANDSHAKE_IN_THE_CLEAR_CAP. */
    public static final int CAP_HANDSHAKE_IN_THE_CLEAR = 1 << 15;
    /** PUB_KEY_ID_CAP. */
    public static final int CAP_PUB_KEY_ID = 1 << 16;

    /** MeasurementSpecification bit 0: DMTF. */
    public static final int MEAS_SPEC_DMTF = 0x01;
    /** BaseAsymAlgo TPM_ALG_ECDSA_ECC_NIST_P384 (bit 7). */
    public static final int ASYM_ECDSA_P384 = 1 << 7;
    /** BaseHashAlgo TPM_ALG_SHA_384 (bit 1). */
    public static final int HASH_SHA_384 = 1 << 1;
    /** MeasurementHashAlgo TPM_ALG_SHA_384 (bit 2; bit 0 is raw bit stream). */
    public static final int MEAS_HASH_SHA_384 = 1 << 2;
    /** AlgType DHE. */
    public static final int ALG_TYPE_DHE = 2;
    /** AlgType AEADCipherSuite. */
    public static final int ALG_TYPE_AEAD = 3;
    /** AlgType ReqBaseAsymAlg. */
    public static final int ALG_TYPE_REQ_BASE_ASYM = 4;
    /** AlgType KeySchedule. */
    public static final int ALG_TYPE_KEY_SCHEDULE = 5;
    /** DHE secp384r1 (bit 4). */
    public static final int DHE_SECP384R1 = 1 << 4;
    /** AEAD AES-256-GCM (bit 1). */
    public static final int AEAD_AES_256_GCM = 1 << 1;
    /** KeySchedule: the SPDM key schedule (bit 0). */
    public static final int KEY_SCHEDULE_SPDM = 1;

    /** Hash size H (SHA-384). */
    public static final int HASH_SIZE = 48;
    /** Signature size S (P-384 raw r || s). */
    public static final int SIGNATURE_SIZE = 96;
    /** ExchangeData size D (secp384r1 X || Y). */
    public static final int EXCHANGE_DATA_SIZE = 96;
    /** Nonce and RandomData size. */
    public static final int NONCE_SIZE = 32;
    /** AES-256-GCM key size. */
    public static final int AEAD_KEY_SIZE = 32;
    /** AES-GCM IV size. */
    public static final int AEAD_IV_SIZE = 12;
    /** AES-GCM tag size. */
    public static final int AEAD_TAG_SIZE = 16;

    /** GET_MEASUREMENTS Param1 bit 0: signature requested. */
    public static final int MEAS_ATTR_SIGNATURE = 1;
    /** GET_MEASUREMENTS Param2: the total number of measurement indices. */
    public static final int MEAS_OP_COUNT = 0x00;
    /** GET_MEASUREMENTS Param2: all measurement blocks. */
    public static final int MEAS_OP_ALL = 0xFF;
    /** KEY_EXCHANGE Param1: no measurement summary hash. */
    public static final int SUMMARY_HASH_NONE = 0x00;
    /** KEY_EXCHANGE Param1: hash of all measurements. */
    public static final int SUMMARY_HASH_ALL = 0xFF;

    /**
     * The name of a request or response code, for messages.
     *
     * @param code the RequestResponseCode
     * @return e.g. "KEY_EXCHANGE (0xe4)"
     */
    public static String name(int code) {
        String n = switch (code) {
            case GET_DIGESTS -> "GET_DIGESTS";
            case GET_CERTIFICATE -> "GET_CERTIFICATE";
            case CHALLENGE -> "CHALLENGE";
            case GET_VERSION -> "GET_VERSION";
            case GET_MEASUREMENTS -> "GET_MEASUREMENTS";
            case GET_CAPABILITIES -> "GET_CAPABILITIES";
            case NEGOTIATE_ALGORITHMS -> "NEGOTIATE_ALGORITHMS";
            case KEY_EXCHANGE -> "KEY_EXCHANGE";
            case FINISH -> "FINISH";
            case KEY_UPDATE -> "KEY_UPDATE";
            case END_SESSION -> "END_SESSION";
            case DIGESTS -> "DIGESTS";
            case CERTIFICATE -> "CERTIFICATE";
            case VERSION -> "VERSION";
            case MEASUREMENTS -> "MEASUREMENTS";
            case CAPABILITIES -> "CAPABILITIES";
            case ALGORITHMS -> "ALGORITHMS";
            case KEY_EXCHANGE_RSP -> "KEY_EXCHANGE_RSP";
            case FINISH_RSP -> "FINISH_RSP";
            case ERROR -> "ERROR";
            default -> "code";
        };
        return n + " (0x" + Integer.toHexString(code) + ")";
    }
}
