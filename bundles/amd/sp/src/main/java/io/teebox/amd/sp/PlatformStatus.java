package io.teebox.amd.sp;

/**
 * PLATFORM_STATUS as the firmware returns it.
 *
 * @param apiMajor API major version
 * @param apiMinor API minor version
 * @param state platform state (0 UNINIT, 1 INIT, 2 WORKING)
 * @param flags flags (bit 8 CONFIG_ES)
 * @param build firmware build
 * @param guestCount number of guest contexts
 */
public record PlatformStatus(int apiMajor, int apiMinor, int state, long flags, int build, int guestCount) {
}
