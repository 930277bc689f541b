package io.teebox.tpm.abi;

/** A TPM 2.0 failure carrying the TPM_RC a TPM answers with; the message is one plain sentence. */
public class TpmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The base code. */
    private final TpmRc rc;
    /** The full response code, possibly with a handle, session or parameter number. */
    private final int code;

    /**
     * Creates the exception with an unqualified code.
     *
     * @param rc the base code
     * @param message one sentence saying what was found and what was expected
     */
    public TpmException(TpmRc rc, String message) {
        this(rc, rc.value(), message);
    }

    /**
     * Creates the exception with a qualified code.
     *
     * @param rc the base code
     * @param code the full code, e.g. {@code TpmRc.SIZE.withParameter(1)}
     * @param message one sentence saying what was found and what was expected
     */
    public TpmException(TpmRc rc, int code, String message) {
        super(message);
        this.rc = rc;
        this.code = code;
    }

    /**
     * The base code.
     *
     * @return the TPM_RC without handle, session or parameter number
     */
    public TpmRc rc() {
        return rc;
    }

    /**
     * The full response code.
     *
     * @return the value a TPM writes in the response header
     */
    public int code() {
        return code;
    }

    /**
     * The same failure qualified with a parameter number, unless it is already qualified or is format zero.
     *
     * @param n the parameter number, 1 to 15
     * @return this or a qualified copy
     */
    public TpmException atParameter(int n) {
        if (code != rc.value() || !rc.formatOne()) {
            return this;
        }
        return new TpmException(rc, rc.withParameter(n), getMessage());
    }

    /**
     * The same failure qualified with a handle number, unless it is already qualified or is format zero.
     *
     * @param n the handle number, 1 to 7
     * @return this or a qualified copy
     */
    public TpmException atHandle(int n) {
        if (code != rc.value() || !rc.formatOne()) {
            return this;
        }
        return new TpmException(rc, rc.withHandle(n), getMessage());
    }
}
