package io.teebox.amd.sp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.Map;

import org.junit.Test;

import io.teebox.amd.sp.PlatformStatus;
import io.teebox.amd.sp.SpFirmwareImage;
import io.teebox.api.tee.FirmwareVersion;

/** The firmware image a backend bundle loads, and the configuration's precedence over it. */
public class FirmwareImageTest {

    @Test
    public void aLoadedImageSetsTheVersionStatusAndSnpTcbAndTheNextImageReplacesIt() {
        AmdSecureProcessorImpl sp = new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of()));
        assertEquals("the built-in firmware before any image", FirmwareVersion.of(1, 55, 21), sp.firmwareVersion());
        assertEquals(Integer.valueOf(8), sp.snpTcb().components().get("SNP"));
        assertNull(sp.loadedFirmware());

        sp.loadFirmware(SpFirmwareImage.parse("1.57.3;snp-spl=11"), "test");
        assertEquals(FirmwareVersion.of(1, 57, 3), sp.firmwareVersion());
        PlatformStatus s = sp.platformStatus();
        assertEquals(1, s.apiMajor());
        assertEquals(57, s.apiMinor());
        assertEquals(3, s.build());
        assertEquals(Integer.valueOf(11), sp.snpTcb().components().get("SNP"));
        assertEquals("the microcode is not SEV firmware", Integer.valueOf(115),
                sp.snpTcb().components().get("MICROCODE"));
        assertEquals(sp.snpTcb(), sp.tcb());

        sp.loadFirmware(SpFirmwareImage.parse("1.57.4; snp-spl=12"), "test");
        assertEquals(FirmwareVersion.of(1, 57, 4), sp.firmwareVersion());
        assertEquals(Integer.valueOf(12), sp.snpTcb().components().get("SNP"));

        sp.loadFirmware(SpFirmwareImage.parse("1.58.0;snp-spl=9"), "a bundle not updated, restarting");
        assertEquals("an older image (lower SPL) is not loaded", new SpFirmwareImage(1, 57, 4, 12),
                sp.loadedFirmware());
        assertEquals(Integer.valueOf(12), sp.snpTcb().components().get("SNP"));
    }

    @Test
    public void configuredValuesOverrideTheImageAndUnsetOnesFallBackToIt() {
        AmdSecureProcessorImpl sp = new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("snpSpl", 20)));
        sp.loadFirmware(SpFirmwareImage.parse("1.57.3;snp-spl=11"), "test");
        assertEquals("configured", Integer.valueOf(20), sp.snpTcb().components().get("SNP"));
        assertEquals("the image's", FirmwareVersion.of(1, 57, 3), sp.firmwareVersion());
        sp.modifiedForTest(Map.of("chipSeed", TestConfigs.TEST_CHIP, "build", 40));
        assertEquals("the override is gone: the image's SPL", Integer.valueOf(11),
                sp.snpTcb().components().get("SNP"));
        assertEquals(FirmwareVersion.of(1, 57, 40), sp.firmwareVersion());
    }

    @Test
    public void theHeaderIsParsedStrictlyWithOneLineErrors() {
        assertEquals(new SpFirmwareImage(1, 55, 21, 8), SpFirmwareImage.parse("1.55.21;snp-spl=8"));
        assertEquals("1.55.21;snp-spl=8", new SpFirmwareImage(1, 55, 21, 8).header());
        Hashtable<String, String> headers = new Hashtable<>();
        assertNull(SpFirmwareImage.of(headers));
        headers.put(SpFirmwareImage.HEADER, "2.0.1;snp-spl=3");
        assertEquals(new SpFirmwareImage(2, 0, 1, 3), SpFirmwareImage.of(headers));
        for (String[] bad : new String[][] {{"1.55;snp-spl=8", "major.minor.build"}, {"1.55.21", "snp-spl=n is "
                + "missing"}, {"1.55.x;snp-spl=8", "build is not a number: 'x'"}, {"1.55.21;snp-spl=256",
                    "snp-spl must be 0..255, got 256"}, {"1.55.21;snp-spl=8;tee=1", "unknown attribute 'tee=1'"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SpFirmwareImage.parse(bad[0]));
            assertTrue(e.getMessage(), e.getMessage().startsWith(SpFirmwareImage.HEADER + ": ")
                    && e.getMessage().contains(bad[1]));
        }
    }
}
