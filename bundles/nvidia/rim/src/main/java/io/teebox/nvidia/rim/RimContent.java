package io.teebox.nvidia.rim;

import java.util.List;
import java.util.Objects;

/**
 * What a RIM states before it is signed: which firmware it is for and its golden measurements.
 *
 * @param id the RIM's id as the RIM service serves it, for example {@code NV_GPU_DRIVER_GH100_550.90.07} or
 *            {@code NV_GPU_VBIOS_1010_0200_882_96009F0001}
 * @param kind what the RIM is for
 * @param colloquialVersion the driver or VBIOS version a verifier compares with the report's, for example
 *            {@code 550.90.07} or {@code 96.00.9F.00.01}
 * @param measurements the golden measurements, in index order
 */
public record RimContent(String id, Kind kind, String colloquialVersion, List<GoldenMeasurement> measurements) {

    /** What a RIM is for. */
    public enum Kind {
        /** The GPU driver's RIM. */
        DRIVER,
        /** The VBIOS's RIM. */
        VBIOS
    }

    /** Creates the record; the list is copied. */
    public RimContent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(colloquialVersion, "colloquialVersion");
        measurements = List.copyOf(measurements);
    }
}
