package io.teebox.attestation.azure.internal;

/**
 * A refusal as Key Vault (and Azure Attestation) answer one: an HTTP status and {@code {"error": {"code", "message"}}}.
 */
final class KeyVaultError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String code;

    KeyVaultError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** @return 400 BadParameter */
    static KeyVaultError badParameter(String message) {
        return new KeyVaultError(400, "BadParameter", message);
    }

    /** @return 404 KeyNotFound */
    static KeyVaultError keyNotFound(String message) {
        return new KeyVaultError(404, "KeyNotFound", message);
    }

    /** @return 403 Forbidden, as Key Vault answers a release whose token fails the release policy */
    static KeyVaultError forbidden(String message) {
        return new KeyVaultError(403, "Forbidden", message);
    }

    /** @return 401 Unauthorized */
    static KeyVaultError unauthorized(String message) {
        return new KeyVaultError(401, "Unauthorized", message);
    }

    /** @return the body */
    String body() {
        com.google.gson.JsonObject e = new com.google.gson.JsonObject();
        e.addProperty("code", code);
        e.addProperty("message", getMessage());
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.add("error", e);
        return o.toString();
    }
}
