package io.teebox.boot.uefi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Path;
import org.junit.Test;

public class ToolTest {

    @Test
    public void missingToolFailsNamingTheDebianPackage() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Tool.run("sbsigntool", Path.of("."), "teebox-no-such-sbverify"));
        assertEquals("teebox-no-such-sbverify is not installed: apt-get install sbsigntool (this test checks teebox"
                + " against it and does not skip)", e.getMessage());
    }
}
