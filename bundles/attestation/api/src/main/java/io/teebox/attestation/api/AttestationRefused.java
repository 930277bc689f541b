package io.teebox.attestation.api;

/**
 * The attestation service refused a request or a token: the HTTP status the service would answer, a problem name
 * ({@code InvalidNonce}, {@code EvidenceNotBound}, {@code InvalidToken}, {@code ExpiredToken}, ...) and a one-line
 * detail saying what was wrong and what was expected.
 */
public class AttestationRefused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String problem;

    /**
     * @param status the HTTP status (400 malformed, 401 nonce or token, 403 evidence not bound, 500 verifier failure)
     * @param problem the problem's name
     * @param detail one line
     */
    public AttestationRefused(int status, String problem, String detail) {
        super(detail);
        this.status = status;
        this.problem = problem;
    }

    /** @return the HTTP status the service answers */
    public int status() {
        return status;
    }

    /** @return the problem's name, for example {@code InvalidNonce} */
    public String problem() {
        return problem;
    }
}
