package io.teebox.attestation.gcp.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * The emulated project the TDs run in, checked once from the configuration.
 *
 * @param id the project id
 * @param number the project number
 * @param zone the zone
 * @param swversion the image version claim
 * @param tokenLifetime how long tokens are valid
 * @param kmsAudience the audience the key service requires
 */
record Project(String id, String number, String zone, String swversion, Duration tokenLifetime, String kmsAudience) {

    /** @throws IllegalArgumentException naming the configuration attribute that is wrong */
    Project {
        if (id == null || !id.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")) {
            throw new IllegalArgumentException("project.id '" + id + "' must be 6 to 30 lower-case letters, digits or "
                    + "'-', starting with a letter and not ending with '-'");
        }
        if (number == null || !number.matches("[0-9]{1,20}")) {
            throw new IllegalArgumentException("project.number '" + number + "' must be 1 to 20 digits");
        }
        if (zone == null || !zone.matches("[a-z]+-[a-z]+[0-9]+-[a-z]")) {
            throw new IllegalArgumentException("zone '" + zone + "' must look like us-central1-a");
        }
        if (swversion == null || !swversion.matches("[0-9]{8}")) {
            throw new IllegalArgumentException("swversion '" + swversion + "' must be 8 digits, YYYYMM##");
        }
        long s = tokenLifetime == null ? -1 : tokenLifetime.getSeconds();
        if (s < 60 || s > 86400) {
            throw new IllegalArgumentException("token.lifetime.seconds must be 60..86400, got " + s);
        }
        if (kmsAudience == null || kmsAudience.isBlank()) {
            kmsAudience = "//iam.googleapis.com/projects/" + number
                    + "/locations/global/workloadIdentityPools/teebox/providers/attestation";
        }
    }

    static Project of(GcpConfig c) {
        return new Project(c.project_id(), c.project_number(), c.zone(), c.swversion(),
                Duration.ofSeconds(c.token_lifetime_seconds()), c.kms_audience());
    }

    /**
     * A stable instance id for a guest, as GCE gives every instance a 64-bit decimal id: the first 63 bits of
     * SHA-256 over the project, zone and the hypervisor's id of the guest.
     *
     * @param guestId the hypervisor's id of the guest
     * @return the decimal id
     */
    String instanceId(String guestId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("teebox-gce-instance\0" + id + "\0" + zone + "\0"
                    + guestId).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (h[i] & 0xFF);
            }
            return Long.toUnsignedString(v & Long.MAX_VALUE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the instance's selfLink, which Google's tokens carry as {@code sub} */
    String selfLink(String instanceName) {
        return "https://www.googleapis.com/compute/v1/projects/" + id + "/zones/" + zone + "/instances/" + instanceName;
    }
}
