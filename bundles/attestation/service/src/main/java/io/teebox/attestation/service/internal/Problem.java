package io.teebox.attestation.service.internal;

/**
 * A refused request as the service answers it: an HTTP status and a JSON body {@code {"type", "detail"}} in the
 * style of Trustee's KBS errors, the type a URI naming the problem.
 */
final class Problem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The prefix of every problem type. */
    static final String TYPE_PREFIX = "https://teebox.io/errors/attestation-service/";

    final int status;
    final String name;

    /**
     * @param status the HTTP status
     * @param name the problem's name, for example {@code InvalidNonce}
     * @param detail one line: what was wrong and what was expected
     */
    Problem(int status, String name, String detail) {
        super(detail.replace('\n', ' ').replace('\r', ' '), null, false, false);
        this.status = status;
        this.name = name;
    }

    static Problem malformed(String detail) {
        return new Problem(400, "MalformedRequest", detail);
    }

    /** @return the problem's type URI */
    String type() {
        return TYPE_PREFIX + name;
    }
}
