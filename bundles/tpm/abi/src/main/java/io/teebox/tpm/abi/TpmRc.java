package io.teebox.tpm.abi;

/**
 * TPM_RC response codes (Part 2, 6.6), base values without the handle, session or parameter number. Format-one codes
 * (bit 7 set) may be qualified with {@link #withParameter}, {@link #withHandle} or {@link #withSession}.
 */
public enum TpmRc {
    /** Success. */
    SUCCESS(0x000),
    /** The command's tag is not TPM_ST_NO_SESSIONS or TPM_ST_SESSIONS (answered with tag TPM_ST_RSP_COMMAND). */
    BAD_TAG(0x01E),
    /** TPM not initialized by TPM2_Startup or already initialized. */
    INITIALIZE(0x100),
    /** Commands not being accepted because of a TPM failure. */
    FAILURE(0x101),
    /** Improper use of a sequence handle. */
    SEQUENCE(0x103),
    /** The command is disabled. */
    DISABLED(0x120),
    /** Command failed because audit sequence required exclusivity. */
    EXCLUSIVE(0x121),
    /** Authorization handle is not correct for command. */
    AUTH_TYPE(0x124),
    /** Command requires an authorization session for a handle and it is not present. */
    AUTH_MISSING(0x125),
    /** Policy failure in math operation or an invalid authPolicy value. */
    POLICY(0x126),
    /** PCR check fail. */
    PCR(0x127),
    /** PCR have changed since checked. */
    PCR_CHANGED(0x128),
    /** The TPM is not in field upgrade mode or is in it. */
    UPGRADE(0x12D),
    /** Context ID counter is at maximum. */
    TOO_MANY_CONTEXTS(0x12E),
    /** authValue or authPolicy is not available for selected entity. */
    AUTH_UNAVAILABLE(0x12F),
    /** A _TPM_Init and Startup(CLEAR) is required before the TPM can resume operation. */
    REBOOT(0x130),
    /** The protection algorithms (hash and symmetric) are not reasonably balanced. */
    UNBALANCED(0x131),
    /** Command commandSize value is inconsistent with contents of the command buffer. */
    COMMAND_SIZE(0x142),
    /** Command code not supported. */
    COMMAND_CODE(0x143),
    /** The value of authorizationSize is out of range. */
    AUTHSIZE(0x144),
    /** Use of an authorization session with a context command or another command that cannot have one. */
    AUTH_CONTEXT(0x145),
    /** NV offset+size is out of range. */
    NV_RANGE(0x146),
    /** Requested allocation size is larger than allowed. */
    NV_SIZE(0x147),
    /** NV access locked. */
    NV_LOCKED(0x148),
    /** NV access authorization fails in command actions. */
    NV_AUTHORIZATION(0x149),
    /** An NV Index is used before being initialized. */
    NV_UNINITIALIZED(0x14A),
    /** Insufficient space for NV allocation. */
    NV_SPACE(0x14B),
    /** NV Index or persistent object already defined. */
    NV_DEFINED(0x14C),
    /** Context in TPM2_ContextLoad is not valid. */
    BAD_CONTEXT(0x150),
    /** cpHash value already set or not correct for use. */
    CPHASH(0x151),
    /** Handle for parent is not a valid parent. */
    PARENT(0x152),
    /** Some function needs testing. */
    NEEDS_TEST(0x153),
    /** Returned when an internal function cannot process a request due to an unspecified problem. */
    NO_RESULT(0x154),
    /** The sensitive area did not unmarshal correctly after decryption. */
    SENSITIVE(0x155),
    /** Asymmetric algorithm not supported or not correct. */
    ASYMMETRIC(0x081),
    /** Inconsistent attributes. */
    ATTRIBUTES(0x082),
    /** Hash algorithm not supported or not appropriate. */
    HASH(0x083),
    /** Value is out of range or is not correct for the context. */
    VALUE(0x084),
    /** Hierarchy is not enabled or is not correct for the use. */
    HIERARCHY(0x085),
    /** Key size is not supported. */
    KEY_SIZE(0x087),
    /** Mask generation function not supported. */
    MGF(0x088),
    /** Mode of operation not supported. */
    MODE(0x089),
    /** The type of the value is not appropriate for the use. */
    TYPE(0x08A),
    /** The handle is not correct for the use. */
    HANDLE(0x08B),
    /** Unsupported key derivation function or function not appropriate for use. */
    KDF(0x08C),
    /** Value was out of allowed range. */
    RANGE(0x08D),
    /** The authorization HMAC check failed and DA counter incremented. */
    AUTH_FAIL(0x08E),
    /** Invalid nonce size or nonce value mismatch. */
    NONCE(0x08F),
    /** Authorization requires assertion of PP. */
    PP(0x090),
    /** Unsupported or incompatible scheme. */
    SCHEME(0x092),
    /** Structure is the wrong size. */
    SIZE(0x095),
    /** Unsupported symmetric algorithm or key size, or not appropriate for instance. */
    SYMMETRIC(0x096),
    /** Incorrect structure tag. */
    TAG(0x097),
    /** Union selector is incorrect. */
    SELECTOR(0x098),
    /** The TPM was unable to unmarshal a value because there were not enough octets in the input buffer. */
    INSUFFICIENT(0x09A),
    /** The signature is not valid. */
    SIGNATURE(0x09B),
    /** Key fields are not compatible with the selected use. */
    KEY(0x09C),
    /** A policy check failed. */
    POLICY_FAIL(0x09D),
    /** Integrity check failed. */
    INTEGRITY(0x09F),
    /** Invalid ticket. */
    TICKET(0x0A0),
    /** Reserved bits not set to zero as required. */
    RESERVED_BITS(0x0A1),
    /** Authorization failure without DA implications. */
    BAD_AUTH(0x0A2),
    /** The policy has expired. */
    EXPIRED(0x0A3),
    /** The commandCode in the policy is not the commandCode of the command. */
    POLICY_CC(0x0A4),
    /** Public and sensitive portions of an object are not cryptographically bound. */
    BINDING(0x0A5),
    /** Curve not supported. */
    CURVE(0x0A6),
    /** Point is not on the required curve. */
    ECC_POINT(0x0A7),
    /** Out of memory for object contexts. */
    OBJECT_MEMORY(0x902),
    /** Out of memory for session contexts. */
    SESSION_MEMORY(0x903),
    /** The TPM has suspended operation on the command. */
    CANCELED(0x909),
    /** The command may require writing of NV and NV is not current accessible. */
    NV_UNAVAILABLE(0x923),
    /** The 1st handle in the handle area references a transient object or session that is not loaded. */
    REFERENCE_H0(0x910),
    /** The 1st authorization session handle references a session that is not loaded. */
    REFERENCE_S0(0x918);

    /** Bit 7 of a format-one code. */
    private static final int RC_FMT1 = 0x080;
    /** Bit 6 of a format-one code: the number counts parameters. */
    private static final int RC_P = 0x040;
    /** Bit 11 of a format-one code without RC_P: the number counts sessions. */
    private static final int RC_S = 0x800;

    private final int value;

    TpmRc(int value) {
        this.value = value;
    }

    /**
     * The spec value.
     *
     * @return the TPM_RC value as a TPM writes it
     */
    public int value() {
        return value;
    }

    /**
     * Whether this is a format-one code that can name a handle, session or parameter.
     *
     * @return true if bit 7 is set
     */
    public boolean formatOne() {
        return (value & RC_FMT1) != 0;
    }

    /**
     * The code qualified with a parameter number.
     *
     * @param n the parameter, 1 to 15
     * @return value + TPM_RC_P + n * TPM_RC_1
     * @throws IllegalArgumentException if this code is not format one or n is out of range
     */
    public int withParameter(int n) {
        check(n, 15);
        return value | RC_P | (n << 8);
    }

    /**
     * The code qualified with a handle number.
     *
     * @param n the handle, 1 to 7
     * @return value + TPM_RC_H + n * TPM_RC_1
     * @throws IllegalArgumentException if this code is not format one or n is out of range
     */
    public int withHandle(int n) {
        check(n, 7);
        return value | (n << 8);
    }

    /**
     * The code qualified with a session number.
     *
     * @param n the session, 1 to 7
     * @return value + TPM_RC_S + n * TPM_RC_1
     * @throws IllegalArgumentException if this code is not format one or n is out of range
     */
    public int withSession(int n) {
        check(n, 7);
        return value | RC_S | (n << 8);
    }

    private void check(int n, int max) {
        if (!formatOne()) {
            throw new IllegalArgumentException("TPM_RC_" + name() + " is a format-zero code, expected a format-one code");
        }
        if (n < 1 || n > max) {
            throw new IllegalArgumentException("TPM_RC number is " + n + ", expected 1 to " + max);
        }
    }

    /**
     * Finds the base code of a response code, stripping a handle, session or parameter number.
     *
     * @param rc a response code as a TPM returns it
     * @return the base code
     * @throws IllegalArgumentException if the code is not one of this enum
     */
    public static TpmRc fromCode(int rc) {
        int base = (rc & RC_FMT1) != 0 ? rc & 0xBF : rc;
        for (TpmRc c : values()) {
            if (c.value == base) {
                return c;
            }
        }
        throw new IllegalArgumentException(String.format("TPM_RC is 0x%03x, expected one of the known codes", rc));
    }
}
