package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TeeException;

/**
 * What a guest owner sends the SEV firmware: the LAUNCH_START session blob ({@link SevSession}, 0x80 bytes) and
 * the LAUNCH_SECRET packet header ({@link SecretHeader}, 0x34 bytes). Both refuse with a {@link TeeException}
 * (INVALID_LENGTH) or round-trip.
 */
class SevSessionFuzzTest {

    @FuzzTest
    void sessionBlobsAndSecretHeadersParseOrAreRefused(byte[] data) {
        SevSession s = typed(() -> SevSession.parse(data), TeeException.class);
        if (s != null) {
            assertSame("session bytes()", data, s.bytes());
        }
        SecretHeader h = typed(() -> SecretHeader.parse(data), TeeException.class);
        if (h != null) {
            assertSame("secret header bytes()", data, h.bytes());
        }
    }
}
