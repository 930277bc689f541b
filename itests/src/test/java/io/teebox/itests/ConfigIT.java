package io.teebox.itests;

import static org.junit.Assert.assertEquals;

import java.util.Map;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.tee.KeySlotLimits;

/** The AMD platform's ASID limits come from ConfigAdmin and change at runtime. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigIT extends TeeboxTestSupport {

    private static final String AMD_SP = "io.teebox.amd.sp";

    @After
    public void restoreDefaults() throws Exception {
        deleteConfiguration(AMD_SP);
    }

    @Test
    public void changingMaxAsidChangesTheSevBackendsKeySlots() throws Exception {
        backend("sev");

        configure(AMD_SP, Map.of("maxAsid", 31, "minSevAsid", 5));
        await("SEV key slots 5..31", () -> sevSlots().first() == 5 && sevSlots().last() == 31);
        assertEquals(27, sevSlots().capacity());

        configure(AMD_SP, Map.of("maxAsid", 9, "minSevAsid", 5));
        await("SEV key slots 5..9", () -> sevSlots().first() == 5 && sevSlots().last() == 9);
        assertEquals(5, sevSlots().capacity());
    }

    private KeySlotLimits sevSlots() {
        return backend("sev").descriptor().keySlots();
    }
}
