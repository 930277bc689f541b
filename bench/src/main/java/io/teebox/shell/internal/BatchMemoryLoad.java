package io.teebox.shell.internal;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;

/**
 * A bounded client of the memory of a long batch program: the shell's batch runner (what {@code ./teebox run FILE}
 * calls) runs an N-statement program on Gogo's runtime with its thread I/O, and a statement at the end records the
 * heap in use after GC; the same statements are then run inside a job (a command executing the program), where Gogo
 * keeps every statement's pipe and its two PrintStreams. Prints {@code batch-bytes-per-statement <top> <nested>}.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.teebox.shell.internal.BatchMemoryLoad [--statements 10000]}
 */
public final class BatchMemoryLoad {

    private BatchMemoryLoad() {
    }

    /** The program's commands. */
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

    static long used() {
        Runtime r = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, r.totalMemory() - r.freeMemory());
        }
        return best;
    }

    /**
     * @param args {@code --statements N}
     * @throws Exception if Gogo fails
     */
    public static void main(String[] args) throws Exception {
        int n = 10_000;
        if (args.length == 2 && args[0].equals("--statements")) {
            try {
                n = Integer.parseInt(args[1]);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n <= 0) {
                throw new IllegalArgumentException("BatchMemoryLoad: --statements needs a positive number, got "
                        + args[1]);
            }
        } else if (args.length != 0) {
            throw new IllegalArgumentException("BatchMemoryLoad: expected [--statements N]");
        }
        ThreadIOImpl threadIo = new ThreadIOImpl();
        threadIo.start();
        try {
            CommandProcessorImpl processor = new CommandProcessorImpl(threadIo);
            Commands c = new Commands();
            for (String f : new String[] {"noop", "mark", "inner"}) {
                processor.addCommand("t", c, f);
            }
            String program = "noop\n".repeat(n) + "mark\n";
            BatchRunner.execute(processor, "noop\n".repeat(100) + "mark\n", false);
            long before = used();
            BatchRunner.execute(processor, program, false);
            long top = (c.marked - before) / n;
            long left = (used() - before) / n;
            before = used();
            try (CommandSession s = processor.createSession(System.in, System.out, System.err)) {
                s.put("program", program);
                s.execute("inner $program");
            }
            long nested = (c.marked - before) / n;
            System.out.printf("%d statements: batch runner %d B/statement while running, %d after; inside a job %d%n",
                    n, top, left, nested);
            System.out.printf("batch-bytes-per-statement %d %d%n", top, nested);
        } finally {
            threadIo.stop();
        }
    }
}
