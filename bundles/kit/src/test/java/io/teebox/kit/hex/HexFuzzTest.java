package io.teebox.kit.hex;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Hex text as users paste it (reference values, report data, {@code hex:} arguments): {@link Hex#decode} refuses
 * with an {@code IllegalArgumentException} naming the position (its documented contract) or decodes to bytes that
 * encode back to the same digits.
 */
class HexFuzzTest {

    @FuzzTest
    void decodeRefusesOrRoundTrips(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        byte[] bytes = typed(() -> Hex.decode(text), IllegalArgumentException.class);
        if (bytes == null) {
            return;
        }
        String hex = Hex.encode(bytes);
        check("encode gives two lowercase digits per byte", hex.length() == 2 * bytes.length
                && hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f'));
        assertSame("decode(encode(decode(x)))", bytes, Hex.decode(hex));
        assertSame("decode(upper case)", bytes, Hex.decode("0X" + hex.toUpperCase(java.util.Locale.ROOT)));
        assertSame("raw bytes", data.length == 0 ? new byte[0] : Hex.decode(Hex.encode(data)), data);
    }
}
