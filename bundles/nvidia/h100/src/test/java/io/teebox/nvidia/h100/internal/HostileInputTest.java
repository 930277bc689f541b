package io.teebox.nvidia.h100.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Random;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.tee.TeeException;

/**
 * What the host may send the GPU is anything: random and mutated mailbox messages and submissions get an SPDM ERROR
 * or a refusal with an RM status, never another exception, and the GPU keeps answering.
 */
public class HostileInputTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void randomMessagesAndSubmissionsAreAnsweredOrRefusedByStatus() throws Exception {
        H100Backend b = new Fixture(tmp.newFolder().toPath()).backend();
        b.attach("gpu0", new TestGuest("cvm", true, 16));
        Random r = new Random(1234);
        int answered = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] payload = new byte[1 + r.nextInt(200)];
            r.nextBytes(payload);
            if (r.nextBoolean()) {
                payload[0] = 0x11;
            }
            byte[] m = r.nextInt(5) == 0 ? payload
                    : Mailbox.frame(new io.teebox.spdm.Packet(r.nextBoolean(), payload));
            if (r.nextInt(5) == 0) {
                m[r.nextInt(Math.min(m.length, 12))] ^= (byte) (1 << r.nextInt(8));
            }
            try {
                byte[] a = b.exchange("gpu0", m);
                assertTrue(a.length >= Mailbox.HEADER + 4);
                answered++;
            } catch (TeeException e) {
                assertEquals("NV_ERR_INVALID_ARGUMENT", e.status().name());
                refused++;
            } catch (RuntimeException e) {
                fail("message " + i + " (" + m.length + " bytes) threw " + e);
            }
            byte[] w = new WorkSubmission(1 + r.nextInt(2), 0, r.nextInt(), r.nextLong(), r.nextInt(1 << 16),
                    r.nextLong() >>> r.nextInt(64), 1 + r.nextInt(4096)).encode();
            if (r.nextInt(4) == 0) {
                w[r.nextInt(w.length)] ^= (byte) (1 << r.nextInt(8));
            }
            try {
                b.submit("gpu0", w);
                fail("a submission without a session was served");
            } catch (TeeException e) {
                assertTrue(e.getMessage(), e.status().name().startsWith("NV_ERR_"));
            } catch (RuntimeException e) {
                fail("submission " + i + " threw " + e);
            }
        }
        assertTrue(answered > 1000 && refused > 100);
        // still a working GPU
        assertEquals(0x04, Mailbox.unframe(b.exchange("gpu0", Mailbox.frame(io.teebox.spdm.Packet.plain(new byte[] {
            0x10, (byte) 0x84, 0, 0})))).bytes()[1]);
    }
}
