package org.example.cca.token;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the platform claim 2399 (software components), PSA token layout:
 * {1: measurement type, 2: measurement value, 4: version, 5: signer id, 6: measurement description}.
 * Optional fields are null. Encoded in TF-M's order 1, 5, 4, 2, 6.
 */
public record SwComponent(String type, byte[] measurement, String version, byte[] signerId, String hashAlgDesc) {
    public SwComponent {
        Objects.requireNonNull(measurement, "measurement");
        measurement = measurement.clone();
        signerId = signerId == null ? null : signerId.clone();
    }

    @Override
    public byte[] measurement() {
        return measurement.clone();
    }

    @Override
    public byte[] signerId() {
        return signerId == null ? null : signerId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwComponent && Objects.equals(type, ((SwComponent) o).type)
                && Arrays.equals(measurement, ((SwComponent) o).measurement)
                && Objects.equals(version, ((SwComponent) o).version)
                && Arrays.equals(signerId, ((SwComponent) o).signerId)
                && Objects.equals(hashAlgDesc, ((SwComponent) o).hashAlgDesc);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(measurement), version, Arrays.hashCode(signerId), hashAlgDesc);
    }

    @Override
    public String toString() {
        return "SwComponent[type=" + type + ", version=" + version + ", measurement=" + CcaToken.hex(measurement)
                + ", signerId=" + (signerId == null ? null : CcaToken.hex(signerId)) + ", hashAlgDesc=" + hashAlgDesc + "]";
    }
}
