package io.teebox.shell.internal;

import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.testing.Fuzzing.Parts;
import java.nio.charset.StandardCharsets;

/**
 * Command arguments as users type them: numbers ({@code 0x1F}, {@code 31}, {@code 0b11111}), sizes ({@code 64M}),
 * guest addresses, hex and {@code hex:} data. Each refuses with an {@code IllegalArgumentException} naming the
 * argument (the shell's contract), or gives a value that fits what it promises (sizes and addresses are never
 * negative). Input: {@code Parts} records, one text per parser.
 */
class ArgsFuzzTest {

    @FuzzTest
    void argumentsParseOrNameTheArgument(byte[] data) {
        Parts in = new Parts(data);
        String number = in.text();
        Long n = typed(() -> Args.number("gpa", number), IllegalArgumentException.class);
        if (n != null && number.trim().matches("[0-9_]+")) {
            check("decimal " + number, Long.toUnsignedString(n).equals(number.trim().replace("_", "")
                    .replaceFirst("^0+(?=.)", "")));
        }
        String size = in.text();
        Long s = typed(() -> Args.size("memory", size), IllegalArgumentException.class);
        check("a size is not negative: " + size + " -> " + s, s == null || s >= 0);
        String gpa = in.text();
        Long a = typed(() -> Args.address("secret-gpa", gpa), IllegalArgumentException.class);
        check("an address is below 2^52: " + gpa, a == null || a >= 0 && a < 1L << 52);
        String hex = in.text();
        byte[] h = typed(() -> Args.hex("expect", hex), IllegalArgumentException.class);
        byte[] d = typed(() -> Args.data("secret", hex), IllegalArgumentException.class);
        check("text data is its UTF-8 bytes", hex.startsWith("hex:") || d != null
                && java.util.Arrays.equals(d, hex.getBytes(StandardCharsets.UTF_8)));
        if (d != null && hex.startsWith("hex:")) {
            check("hex: data is the hex", java.util.Arrays.equals(d, io.teebox.kit.hex.Hex.decode(hex.substring(4))));
        }
        if (h != null && h.length > 0) {
            check("hex round-trips", java.util.Arrays.equals(h, Args.hex("expect", io.teebox.kit.hex.Hex.encode(h)
                    + " ")));
        }
        String range = in.text();
        Integer i = typed(() -> Args.intIn("vcpus", range, 1, 64), IllegalArgumentException.class);
        check("in range", i == null || i >= 1 && i <= 64);
    }
}
