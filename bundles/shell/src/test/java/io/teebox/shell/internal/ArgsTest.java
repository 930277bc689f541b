package io.teebox.shell.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class ArgsTest {

    @Test
    public void numbersInDecimalHexAndBinary() {
        assertEquals(0x80A000L, Args.number("gpa", "0x80A000"));
        assertEquals(0x80A000L, Args.number("gpa", "0x80_a000"));
        assertEquals(31, Args.number("n", "31"));
        assertEquals(5, Args.number("n", "0b101"));
        assertEquals(-1L, Args.number("n", "0xFFFFFFFFFFFFFFFF"));
    }

    @Test
    public void badNumbersNameTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Args.number("gpa", "0xZZ"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("gpa '0xZZ' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Args.number("gpa", " ")).getMessage()
                .contains("gpa is missing"));
    }

    @Test
    public void sizesWithUnits() {
        assertEquals(64L << 20, Args.size("memory", "64M"));
        assertEquals(64L << 20, Args.size("memory", "64MiB"));
        assertEquals(4096, Args.size("memory", "4k"));
        assertEquals(1L << 30, Args.size("memory", "1G"));
        assertEquals(4096, Args.size("memory", "0x1000"));
        assertThrows(IllegalArgumentException.class, () -> Args.size("memory", "lots"));
    }

    @Test
    public void rangesAreChecked() {
        assertEquals(64, Args.intIn("vcpus", "64", 1, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Args.intIn("vcpus", "65", 1,
                64));
        assertEquals("vcpus must be 1..64, got 65", e.getMessage());
    }

    @Test
    public void dataAsTextOrHex() {
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), Args.data("data", "abc"));
        assertArrayEquals(new byte[] {0, (byte) 0xFF}, Args.data("data", "hex:00ff"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Args.data("data", "hex:0g")).getMessage()
                .startsWith("data: "));
    }

    @Test
    public void missingFilesAreNamed() {
        assertNull(Args.file("kernel", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Args.file("kernel", "/no/such/vmlinuz"));
        assertTrue(e.getMessage().startsWith("kernel '/no/such/vmlinuz' is not a readable file"));
    }

    @Test
    public void messagesShowControlCharactersEscapedOnOneLine() {
        for (java.util.function.Supplier<Object> bad : java.util.List.<java.util.function.Supplier<Object>>of(
                () -> Args.number("gpa", "12\n34"), () -> Args.size("memory", "4\rX"),
                () -> Args.intIn("vcpus", "99\n", 1, 64), () -> Args.hex("expect", "ab\ncz"))) {
            IllegalArgumentException e = org.junit.Assert.assertThrows(IllegalArgumentException.class, bad::get);
            org.junit.Assert.assertFalse(e.getMessage(), e.getMessage().contains("\n") || e.getMessage()
                    .contains("\r"));
            org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("\\n")
                    || e.getMessage().contains("\\r"));
        }
    }

    @Test
    public void sizesOf2To63AndAboveAreTooLargeNotNegative() {
        for (String size : new String[] {"9223372036854775808", "18446744073709551615", "0xFFFFFFFFFFFFFFFF",
            "9474262020783545456"}) {
            IllegalArgumentException e = org.junit.Assert.assertThrows(size, IllegalArgumentException.class,
                    () -> Args.size("memory", size));
            org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("memory '" + size + "' is too large"));
        }
        org.junit.Assert.assertEquals(Long.MAX_VALUE, Args.size("memory", "9223372036854775807"));
    }
}
