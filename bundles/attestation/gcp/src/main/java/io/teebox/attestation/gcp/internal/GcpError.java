package io.teebox.attestation.gcp.internal;

import com.google.gson.JsonObject;

/**
 * A refusal as Google's APIs answer one: {@code {"error": {"code", "message", "status"}}} with the HTTP status of
 * the canonical code (google.rpc.Code).
 */
final class GcpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String status;

    GcpError(int code, String status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    static GcpError invalid(String message) {
        return new GcpError(400, "INVALID_ARGUMENT", message);
    }

    static GcpError unauthenticated(String message) {
        return new GcpError(401, "UNAUTHENTICATED", message);
    }

    static GcpError denied(String message) {
        return new GcpError(403, "PERMISSION_DENIED", message);
    }

    static GcpError notFound(String message) {
        return new GcpError(404, "NOT_FOUND", message);
    }

    static GcpError precondition(String message) {
        return new GcpError(400, "FAILED_PRECONDITION", message);
    }

    /** @return the HTTP status */
    int code() {
        return code;
    }

    /** @return the canonical status name, for example {@code PERMISSION_DENIED} */
    String status() {
        return status;
    }

    /** @return Google's error body */
    JsonObject body() {
        JsonObject e = new JsonObject();
        e.addProperty("code", code);
        e.addProperty("message", getMessage());
        e.addProperty("status", status);
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o;
    }
}
