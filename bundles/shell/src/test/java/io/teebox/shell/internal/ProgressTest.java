package io.teebox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * Progress lines: none for a quick operation, the step it is in once it is slow, the end, and the work's own result
 * or exception. The operation is paced by latches, not by the clock, so each line is certain to be due.
 */
public class ProgressTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

    private List<String> lines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    public void aQuickOperationPrintsNothing() {
        assertEquals("r", new Progress(60_000, 60_000).run("launch g", "starting", step -> "r", stream));
        assertEquals(List.of(), lines());
    }

    @Test
    public void aSlowOperationSaysEachStepAndTheEnd() throws Exception {
        CountDownLatch firstSaid = new CountDownLatch(1);
        CountDownLatch secondSaid = new CountDownLatch(1);
        Progress p = new Progress(20, 60_000);
        String r = p.run("launch g", "the firmware measures", step -> {
            await(firstSaid, this::lines, "launch g: the firmware measures (");
            step.set("the owner checks");
            await(secondSaid, this::lines, "launch g: the owner checks (");
            return "done";
        }, stream);
        assertEquals("done", r);
        List<String> l = lines();
        assertEquals(l.toString(), 3, l.size());
        assertTrue(l.get(0), l.get(0).matches("launch g: the firmware measures \\(\\d+\\.\\d s\\)"));
        assertTrue(l.get(1), l.get(1).matches("launch g: the owner checks \\(\\d+\\.\\d s\\)"));
        assertTrue(l.get(2), l.get(2).matches("launch g: done in \\d+\\.\\d s"));
    }

    /** Waits until a line starting with the prefix was printed (the command's thread prints them). */
    private static void await(CountDownLatch latch, java.util.function.Supplier<List<String>> lines, String prefix) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (lines.get().stream().noneMatch(l -> l.startsWith(prefix))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line " + prefix + " in " + lines.get());
            }
            Thread.onSpinWait();
        }
        latch.countDown();
    }

    @Test
    public void theWorksExceptionComesOutAsItWasThrown() {
        TeeException thrown = new TeeException(FirmwareStatus.INVALID_GUEST_STATE, "the guest is not launched");
        TeeException e = assertThrows(TeeException.class,
                () -> new Progress(60_000, 60_000).run("attest g", "signing", step -> {
                    throw thrown;
                }, stream));
        assertSame(thrown, e);
        assertEquals(List.of(), lines());
    }

    @Test
    public void aSlowFailureSaysItFailed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Progress(0, 60_000).run("launch g", "loading", step -> {
                    await(new CountDownLatch(1), this::lines, "launch g: loading (");
                    throw new IllegalStateException("INVALID_PARAM: bad policy");
                }, stream));
        assertEquals("INVALID_PARAM: bad policy", e.getMessage());
        List<String> l = lines();
        assertEquals(l.toString(), 2, l.size());
        assertTrue(l.get(1), l.get(1).matches("launch g: failed after \\d+\\.\\d s"));
    }
}
