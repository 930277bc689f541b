package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;

/**
 * SNP guest messages as the secure processor receives them from a guest (SNP_GUEST_REQUEST): the header is read
 * or refused with a {@link TeeException} (INVALID_LENGTH, INVALID_PARAM), a message opens under {@link #VMPCK} or
 * is refused (INVALID_PARAM, BAD_SIGNATURE); an opened message seals back to the same bytes and its payload
 * parses as its type's layout or is refused with a {@link MalformedStructureException}.
 */
class SnpGuestMessageFuzzTest {

    /** The VMPCK the seed messages are sealed with: bytes 0x00..0x1F. */
    static final byte[] VMPCK = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            VMPCK[i] = (byte) i;
        }
    }

    @FuzzTest
    void messagesOpenOrAreRefused(byte[] data) {
        Struct header = typed(() -> SnpGuestMessage.header(data), TeeException.class);
        byte[] payload = typed(() -> SnpGuestMessage.open(VMPCK, data), TeeException.class);
        if (header == null || payload == null) {
            return;
        }
        int type = header.u8("MSG_TYPE");
        if (header.u64("MSG_SEQNO") != 0 && header.u8("MSG_VERSION") == 1) {
            // AES-256-GCM's tag is the first 16 bytes of the 32-byte AUTHTAG; the other 16 are neither
            // authenticated nor checked (the AAD starts at 0x30), so seal() writes them zero and open() ignores them
            byte[] unauthenticated = data.clone();
            java.util.Arrays.fill(unauthenticated, 16, 32, (byte) 0);
            assertSame("seal(open(x))", unauthenticated, SnpGuestMessage.seal(VMPCK, header.u8("MSG_VMPCK"),
                    header.u64("MSG_SEQNO"), type, payload));
        }
        if (type == SnpGuestMessage.REPORT_REQ) {
            typed(() -> SnpGuestMessage.REPORT_REQ_LAYOUT.parse(payload), MalformedStructureException.class);
        } else if (type == SnpGuestMessage.KEY_REQ) {
            typed(() -> SnpGuestMessage.KEY_REQ_LAYOUT.parse(payload), MalformedStructureException.class);
        }
    }
}
