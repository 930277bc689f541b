package io.teebox.boot.uefi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import java.time.LocalDateTime;

/**
 * EFI_TIME (UEFI 2.10, 8.3): Year (u16), Month, Day, Hour, Minute, Second (u8), Pad1, Nanosecond (u32), TimeZone
 * (i16), Daylight (u8), Pad2; 16 bytes. An authenticated variable's TimeStamp has Pad1, Nanosecond, TimeZone,
 * Daylight and Pad2 zero (UEFI 2.10, 8.2.2).
 *
 * @param year 1900..9999
 * @param month 1..12
 * @param day 1..31
 * @param hour 0..23
 * @param minute 0..59
 * @param second 0..59
 * @param nanosecond 0..999,999,999
 * @param timeZone minutes from UTC, -1440..1440, or 2047 (EFI_UNSPECIFIED_TIMEZONE)
 * @param daylight the EFI_TIME_ADJUST_DAYLIGHT and EFI_TIME_IN_DAYLIGHT bits
 */
public record EfiTime(int year, int month, int day, int hour, int minute, int second, long nanosecond, int timeZone,
        int daylight) {

    /** The layout. */
    public static final Layout LAYOUT = Layout.define("EFI_TIME", 16).u16("Year", 0).u8("Month", 2).u8("Day", 3)
            .u8("Hour", 4).u8("Minute", 5).u8("Second", 6).reserved(7, 1).u32("Nanosecond", 8)
            .u16("TimeZone", 12).u8("Daylight", 14).reserved(15, 1).build();

    /**
     * Checks the ranges.
     *
     * @throws IllegalArgumentException if a field is out of its range
     */
    public EfiTime {
        check("Year", year, 1900, 9999);
        check("Month", month, 1, 12);
        check("Day", day, 1, 31);
        check("Hour", hour, 0, 23);
        check("Minute", minute, 0, 59);
        check("Second", second, 0, 59);
        check("Nanosecond", nanosecond, 0, 999_999_999);
        if (timeZone != 2047) {
            check("TimeZone", timeZone, -1440, 1440);
        }
        check("Daylight", daylight, 0, 3);
    }

    private static void check(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("EFI_TIME " + field + " is " + value + ", expected " + min + ".."
                    + max);
        }
    }

    /**
     * The TimeStamp of an authenticated variable write: a UTC date and time to the second, the other fields zero.
     *
     * @param utc the time
     * @return the EFI_TIME
     */
    public static EfiTime timestamp(LocalDateTime utc) {
        return new EfiTime(utc.getYear(), utc.getMonthValue(), utc.getDayOfMonth(), utc.getHour(), utc.getMinute(),
                utc.getSecond(), 0, 0, 0);
    }

    /**
     * Encodes the structure.
     *
     * @return 16 bytes
     */
    public byte[] toBytes() {
        return LAYOUT.create().set("Year", year).set("Month", month).set("Day", day).set("Hour", hour)
                .set("Minute", minute).set("Second", second).set("Nanosecond", nanosecond)
                .set("TimeZone", timeZone & 0xFFFF).set("Daylight", daylight).toBytes();
    }

    /**
     * Parses the structure.
     *
     * @param data the buffer
     * @param offset where the 16 bytes start
     * @return the time
     * @throws MalformedStructureException if fewer than 16 bytes are left, a pad byte is not zero, or a field is
     *         out of range
     */
    public static EfiTime parse(byte[] data, int offset) {
        Struct s = LAYOUT.parse(data, offset);
        try {
            return new EfiTime(s.u16("Year"), s.u8("Month"), s.u8("Day"), s.u8("Hour"), s.u8("Minute"),
                    s.u8("Second"), s.u32("Nanosecond"), (short) s.u16("TimeZone"), s.u8("Daylight"));
        } catch (IllegalArgumentException e) {
            throw new MalformedStructureException("EFI_TIME", null, e.getMessage());
        }
    }
}
