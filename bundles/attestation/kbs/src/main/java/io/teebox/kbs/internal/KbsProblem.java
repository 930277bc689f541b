package io.teebox.kbs.internal;

/**
 * A refused request as Trustee's KBS answers it: an HTTP status and {@code {"type", "detail"}}, the type
 * {@value #TYPE_PREFIX} followed by the problem's name. As in Trustee's {@code kbs/src/error.rs}, a policy denial is
 * 403, a bad path 404, and every other refusal, malformed requests included, 401.
 */
final class KbsProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Trustee's prefix of error types ({@code kbs/src/error.rs}). */
    static final String TYPE_PREFIX = "https://github.com/confidential-containers/kbs/errors/";

    final int status;
    final String name;

    /**
     * @param status the HTTP status
     * @param name the problem, for example {@code PolicyDeny}
     * @param detail one line
     */
    KbsProblem(int status, String name, String detail) {
        super(detail.replace('\n', ' ').replace('\r', ' '), null, false, false);
        this.status = status;
        this.name = name;
    }

    static KbsProblem invalid(String detail) {
        return new KbsProblem(401, "InvalidRequest", detail);
    }

    static KbsProblem path(String detail) {
        return new KbsProblem(404, "InvalidRequestPath", detail);
    }

    String type() {
        return TYPE_PREFIX + name;
    }
}
