package io.teebox.boot.uefi;

import static org.junit.Assert.assertFalse;

import java.nio.charset.StandardCharsets;

/** The test vendors and images, made once: RSA key generation from a seed takes a moment. */
final class Fixtures {

    private Fixtures() {
    }

    /** The platform's vendor, whose UEFI CA is in db. */
    static final PlatformVendor VENDOR = PlatformVendor.fromSeed("Teebox",
            "teebox-uefi-test-vendor-seed".getBytes(StandardCharsets.US_ASCII));
    /** Another vendor, whose keys the platform does not trust. */
    static final PlatformVendor ROGUE = PlatformVendor.fromSeed("Rogue",
            "teebox-uefi-rogue-vendor-seed".getBytes(StandardCharsets.US_ASCII));

    static byte[] image(String payload) {
        return new EfiApplicationBuilder().payload(payload).build();
    }

    static byte[] flip(byte[] data, int offset) {
        byte[] out = data.clone();
        out[offset] ^= 0x01;
        return out;
    }

    static void assertOneLine(String message) {
        assertFalse("message runs over lines: " + message, message.contains("\n"));
    }
}
