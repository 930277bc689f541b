package io.teebox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Memory of a long batch program. Gogo gives every statement a pipe with its own out/err PrintStreams (each with
 * its BufferedWriter and encoder, about 24 KB); a statement's job is kept in the list of children of the job that is
 * current when it starts, a list Gogo never prunes. The batch runner runs the program at the top level, where each
 * finished job is dropped, so what a statement leaves behind is its parse tree only. The nested case, a program run
 * from inside a command, is measured beside it so that this test can tell the two apart on the same heap.
 */
public class BatchMemoryTest {

    private static final int STATEMENTS = 2000;

    /** The commands of the programs: a statement that does nothing and one that records the heap in use. */
    public static final class Commands {
        long marked;

        public String noop() {
            return null;
        }

        public void mark() {
            marked = used();
        }

        public Object inner(CommandSession session, String program) throws Exception {
            return session.execute(program);
        }
    }

    private ThreadIOImpl threadIo;
    private CommandProcessorImpl processor;
    private final Commands commands = new Commands();

    @Before
    public void processor() {
        threadIo = new ThreadIOImpl();
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        for (String f : new String[] {"noop", "mark", "inner"}) {
            processor.addCommand("t", commands, f);
        }
    }

    @After
    public void stop() {
        threadIo.stop();
    }

    static long used() {
        Runtime r = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, r.totalMemory() - r.freeMemory());
        }
        return best;
    }

    private static String program() {
        return "noop\n".repeat(STATEMENTS) + "mark\n";
    }

    @Test
    public void aLongBatchProgramHoldsNoStreamsPerStatement() throws Exception {
        BatchRunner.execute(processor, program(), false); // warm-up: classes, caches
        long before = used();
        assertEquals(0, BatchRunner.execute(processor, program(), false));
        long perStatement = (commands.marked - before) / STATEMENTS;
        // the parse tree of a statement is a few hundred bytes; two PrintStreams would be about 48 KB
        assertTrue("the batch runner holds " + perStatement + " bytes per statement while the program runs",
                perStatement < 4_000);
        long after = used();
        assertTrue("the batch runner left " + (after - before) / STATEMENTS + " bytes per statement",
                (after - before) / STATEMENTS < 1_000);
    }

    @Test
    public void theMeasurementSeesTheStreamsOfStatementsRunInsideAJob() throws Exception {
        long before = used();
        try (CommandSession session = processor.createSession(System.in, System.out, System.err)) {
            session.put("program", program());
            session.execute("inner $program");
        }
        long perStatement = (commands.marked - before) / STATEMENTS;
        assertTrue("nested statements hold " + perStatement + " bytes each", perStatement > 20_000);
    }
}
