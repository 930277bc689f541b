package io.teebox.nvidia.rim;

import java.util.List;
import java.util.Objects;

/**
 * One {@code Resource type="Measurement"} of a RIM: the values a measurement block may have.
 *
 * @param index the measurement block's index (0-based, as NVIDIA's RIMs number them)
 * @param name the component's name, for example {@code "GSP FMC"}
 * @param active whether verifiers compare it (inactive entries are ignored)
 * @param alternatives the accepted SHA-384 digests, {@code Hash0..HashN}; at least one, each 48 bytes
 */
public record GoldenMeasurement(int index, String name, boolean active, List<byte[]> alternatives) {

    /** Creates the record; the digests are copied. */
    public GoldenMeasurement {
        Objects.requireNonNull(name, "name");
        alternatives = alternatives.stream().map(byte[]::clone).toList();
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("measurement " + index + " (" + name + ") needs at least one value");
        }
    }

    /** @return copies of the accepted digests */
    @Override
    public List<byte[]> alternatives() {
        return alternatives.stream().map(byte[]::clone).toList();
    }
}
