package io.teebox.spdm;

import static org.junit.Assert.assertArrayEquals;

import io.teebox.kit.hex.Hex;
import io.teebox.spdm.internal.KeySchedule;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class KeyScheduleTest {

    /** RFC 5869 Appendix A.1 (Test Case 1, SHA-256): the HKDF the SPDM key schedule is built on. */
    @Test
    public void hkdfMatchesRfc5869TestCase1() {
        byte[] ikm = Hex.decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = Hex.decode("000102030405060708090a0b0c");
        byte[] info = Hex.decode("f0f1f2f3f4f5f6f7f8f9");
        byte[] prk = KeySchedule.extract("HmacSHA256", salt, ikm);
        assertArrayEquals(Hex.decode("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"), prk);
        assertArrayEquals(Hex.decode("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
                KeySchedule.expand("HmacSHA256", prk, info, 42));
    }

    /** BinConcat as libspdm's libspdm_bin_concat lays it out for 1.1: Length u16 LE, "spdm1.1 ", label, context. */
    @Test
    public void binConcatIsLengthVersionLabelContext() {
        byte[] context = new byte[48];
        context[0] = 0x5A;
        byte[] expected = new byte[2 + 8 + 11 + 48];
        expected[0] = 0x30;
        System.arraycopy("spdm1.1 req hs data".getBytes(StandardCharsets.US_ASCII), 0, expected, 2, 19);
        expected[21] = 0x5A;
        assertArrayEquals(expected, KeySchedule.binConcat(48, "req hs data", context));
        assertArrayEquals(concat(Hex.decode("0c00"), "spdm1.1 iv".getBytes(StandardCharsets.US_ASCII)),
                KeySchedule.binConcat(12, "iv", null));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
