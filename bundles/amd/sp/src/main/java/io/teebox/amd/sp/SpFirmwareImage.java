package io.teebox.amd.sp;

import java.util.Dictionary;

/**
 * The SEV firmware image a backend bundle carries for the AMD Secure Processor, named in the bundle's manifest:
 * {@code Teebox-Amd-Sp-Firmware: 1.55.21;snp-spl=8} (API major.minor, build; the SNP firmware's security patch level
 * in the TCB it reports). Activating the bundle loads it into the secure processor (DOWNLOAD_FIRMWARE), so updating
 * the bundle from a jar with other values is a firmware update: the firmware version, PLATFORM_STATUS and the SNP
 * TCB change, and so do the fields of new SNP reports and the VCEK that signs them. The bootloader and TEE SPLs
 * (BIOS) and the microcode SPL (the CPU's) are not part of the SEV firmware and do not change with it.
 *
 * @param apiMajor API major version (0..255)
 * @param apiMinor API minor version (0..255)
 * @param build firmware build (0..255)
 * @param snpSpl SNP firmware security patch level (0..255)
 */
public record SpFirmwareImage(int apiMajor, int apiMinor, int build, int snpSpl)
        implements Comparable<SpFirmwareImage> {

    /** The manifest header naming a bundle's SEV firmware image. */
    public static final String HEADER = "Teebox-Amd-Sp-Firmware";

    /**
     * @throws IllegalArgumentException naming the field that is not a byte
     */
    public SpFirmwareImage {
        check("apiMajor", apiMajor);
        check("apiMinor", apiMinor);
        check("build", build);
        check("snp-spl", snpSpl);
    }

    private static void check(String field, int v) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException(HEADER + ": " + field + " must be 0..255, got " + v);
        }
    }

    /**
     * @param header the header's value, {@code major.minor.build;snp-spl=n}
     * @return the image
     * @throws IllegalArgumentException naming what is malformed
     */
    public static SpFirmwareImage parse(String header) {
        String[] parts = header.split(";");
        String[] version = parts[0].trim().split("\\.");
        if (version.length != 3) {
            throw new IllegalArgumentException(HEADER + ": the version must be major.minor.build, got '"
                    + parts[0].trim() + "'");
        }
        Integer spl = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].trim().equals("snp-spl")) {
                spl = number("snp-spl", kv[1]);
            } else {
                throw new IllegalArgumentException(HEADER + ": unknown attribute '" + parts[i].trim()
                        + "' (expected snp-spl=n)");
            }
        }
        if (spl == null) {
            throw new IllegalArgumentException(HEADER + ": snp-spl=n is missing in '" + header + "'");
        }
        return new SpFirmwareImage(number("apiMajor", version[0]), number("apiMinor", version[1]),
                number("build", version[2]), spl);
    }

    private static int number(String field, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(HEADER + ": " + field + " is not a number: '" + text.trim() + "'", e);
        }
    }

    /**
     * @param headers a bundle's manifest headers
     * @return the image they name, or null when they name none
     * @throws IllegalArgumentException if the header is malformed
     */
    public static SpFirmwareImage of(Dictionary<String, String> headers) {
        String h = headers.get(HEADER);
        return h == null ? null : parse(h);
    }

    /**
     * What a backend bundle's activation does: loads the image its manifest names into the secure processor.
     *
     * @param sp the secure processor
     * @param bundle the backend bundle
     * @return {@code sp}
     * @throws IllegalArgumentException if the bundle's header is malformed (the backend does not activate)
     */
    public static AmdSecureProcessor load(AmdSecureProcessor sp, org.osgi.framework.Bundle bundle) {
        SpFirmwareImage image = of(bundle.getHeaders());
        if (image != null) {
            sp.loadFirmware(image, bundle.getSymbolicName() + " " + bundle.getVersion());
        }
        return sp;
    }

    /**
     * Orders images as the firmware's anti-rollback does: by SNP SPL, then by version and build.
     *
     * @param o another image
     * @return negative if this image is older
     */
    @Override
    public int compareTo(SpFirmwareImage o) {
        return java.util.Comparator.comparingInt(SpFirmwareImage::snpSpl).thenComparingInt(SpFirmwareImage::apiMajor)
                .thenComparingInt(SpFirmwareImage::apiMinor).thenComparingInt(SpFirmwareImage::build).compare(this, o);
    }

    /** @return the header value that names this image */
    public String header() {
        return apiMajor + "." + apiMinor + "." + build + ";snp-spl=" + snpSpl;
    }
}
