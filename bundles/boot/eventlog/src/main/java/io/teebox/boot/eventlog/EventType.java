package io.teebox.boot.eventlog;

import java.util.Optional;

/**
 * The event types of the TCG PC Client Platform Firmware Profile (section 10.4.1), each with its spec value. A log
 * may carry values that are not listed here; records keep the raw value and {@link #of(long)} names it if it can.
 */
public enum EventType {
    EV_PREBOOT_CERT(0x0),
    EV_POST_CODE(0x1),
    EV_UNUSED(0x2),
    EV_NO_ACTION(0x3),
    EV_SEPARATOR(0x4),
    EV_ACTION(0x5),
    EV_EVENT_TAG(0x6),
    EV_S_CRTM_CONTENTS(0x7),
    EV_S_CRTM_VERSION(0x8),
    EV_CPU_MICROCODE(0x9),
    EV_PLATFORM_CONFIG_FLAGS(0xA),
    EV_TABLE_OF_DEVICES(0xB),
    EV_COMPACT_HASH(0xC),
    EV_IPL(0xD),
    EV_IPL_PARTITION_DATA(0xE),
    EV_NONHOST_CODE(0xF),
    EV_NONHOST_CONFIG(0x10),
    EV_NONHOST_INFO(0x11),
    EV_OMIT_BOOT_DEVICE_EVENTS(0x12),
    EV_EFI_EVENT_BASE(0x80000000L),
    EV_EFI_VARIABLE_DRIVER_CONFIG(0x80000001L),
    EV_EFI_VARIABLE_BOOT(0x80000002L),
    EV_EFI_BOOT_SERVICES_APPLICATION(0x80000003L),
    EV_EFI_BOOT_SERVICES_DRIVER(0x80000004L),
    EV_EFI_RUNTIME_SERVICES_DRIVER(0x80000005L),
    EV_EFI_GPT_EVENT(0x80000006L),
    EV_EFI_ACTION(0x80000007L),
    EV_EFI_PLATFORM_FIRMWARE_BLOB(0x80000008L),
    EV_EFI_HANDOFF_TABLES(0x80000009L),
    EV_EFI_PLATFORM_FIRMWARE_BLOB2(0x8000000AL),
    EV_EFI_HANDOFF_TABLES2(0x8000000BL),
    EV_EFI_VARIABLE_BOOT2(0x8000000CL),
    EV_EFI_HCRTM_EVENT(0x80000010L),
    EV_EFI_VARIABLE_AUTHORITY(0x800000E0L),
    EV_EFI_SPDM_FIRMWARE_BLOB(0x800000E1L),
    EV_EFI_SPDM_FIRMWARE_CONFIG(0x800000E2L);

    private final long value;

    EventType(long value) {
        this.value = value;
    }

    /**
     * The spec value, as stored in the eventType field.
     *
     * @return the 32-bit value
     */
    public long value() {
        return value;
    }

    /**
     * The type with this value.
     *
     * @param value the eventType field
     * @return the type, or empty if the value is not a type of the profile
     */
    public static Optional<EventType> of(long value) {
        for (EventType t : values()) {
            if (t.value == value) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The spec name of a value, or its hex form if it has none.
     *
     * @param value the eventType field
     * @return e.g. "EV_SEPARATOR" or "0x00001234"
     */
    public static String name(long value) {
        return of(value).map(Enum::name).orElse(String.format("0x%08x", value));
    }
}
