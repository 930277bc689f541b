package io.teebox.api.tee;

/**
 * A firmware version as the device reports it: for AMD the SEV API major.minor and build.
 *
 * @param major API major version
 * @param minor API minor version
 * @param build build number
 */
public record FirmwareVersion(int major, int minor, int build) implements Comparable<FirmwareVersion> {

    /**
     * @throws IllegalArgumentException if a part is outside 0..255
     */
    public FirmwareVersion {
        for (int part : new int[] {major, minor, build}) {
            if (part < 0 || part > 255) {
                throw new IllegalArgumentException("firmware version parts are bytes (0..255), got " + part);
            }
        }
    }

    /**
     * Parses {@code "1.55"} or {@code "1.55.21"}.
     *
     * @param text the version text
     * @return the version
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static FirmwareVersion parse(String text) {
        String[] parts = text.trim().split("\\.");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("firmware version '" + text + "' is not major.minor[.build]");
        }
        try {
            return new FirmwareVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                    parts.length == 3 ? Integer.parseInt(parts[2]) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("firmware version '" + text + "' is not major.minor[.build]", e);
        }
    }

    /** @return true if this version's major.minor is at least the given one (the build is not compared) */
    public boolean atLeast(int otherMajor, int otherMinor) {
        return major > otherMajor || (major == otherMajor && minor >= otherMinor);
    }

    @Override
    public int compareTo(FirmwareVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(build, o.build);
    }

    /** @return {@code major.minor build N} */
    @Override
    public String toString() {
        return major + "." + minor + " build " + build;
    }
}
