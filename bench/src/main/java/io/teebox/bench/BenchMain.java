package io.teebox.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the teebox benchmarks and reports each one as a ratio against the baseline of its class (the benchmark whose
 * name starts with {@code baseline}), measured in the same run on the same machine. Absolute times depend on the
 * machine and what else it runs; the ratios are what to compare between commits.
 *
 * <p>Usage: {@code java -jar bench/target/benchmarks.jar [regex] [--quick] [JMH options]}; the regex selects
 * benchmarks (default: all), {@code --quick} runs one short fork for a smoke check; every other argument is JMH's
 * ({@code -h} lists them, {@code -l} the benchmarks; {@code -f}, {@code -wi}, {@code -i}, {@code -w}, {@code -r}
 * replace the defaults of 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement).
 */
public final class BenchMain {

    private BenchMain() {
    }

    /**
     * @param args an optional benchmark regex and {@code --quick}
     * @throws RunnerException if JMH fails
     * @throws CommandLineOptionException if a JMH option is malformed
     * @throws java.io.IOException if JMH cannot list
     */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException, java.io.IOException {
        boolean quick = List.of(args).contains("--quick");
        CommandLineOptions cl = new CommandLineOptions(List.of(args).stream().filter(a -> !a.equals("--quick"))
                .toArray(String[]::new));
        if (cl.shouldHelp()) {
            System.out.println("Usage: java -jar benchmarks.jar [regex] [--quick] [JMH options]");
            System.out.println("  --quick   one short fork (1 x 300 ms warm-up, 2 x 300 ms measurement), a smoke run");
            System.out.println("Each benchmark is reported as a ratio to the baseline of its class. JMH's options:");
            cl.showHelp();
            return;
        }
        if (cl.shouldList() || cl.shouldListWithParams() || cl.shouldListProfilers() || cl.shouldListResultFormats()) {
            Main.main(List.of(args).stream().filter(a -> !a.equals("--quick")).toArray(String[]::new));
            return;
        }
        ChainedOptionsBuilder o = new OptionsBuilder().parent(cl).shouldFailOnError(true);
        if (cl.getIncludes().isEmpty()) {
            o.include("io\\.teebox\\..*");
        }
        if (!cl.getForkCount().hasValue()) {
            o.forks(1);
        }
        if (!cl.getWarmupIterations().hasValue()) {
            o.warmupIterations(quick ? 1 : 3);
        }
        if (!cl.getWarmupTime().hasValue()) {
            o.warmupTime(quick ? TimeValue.milliseconds(300) : TimeValue.seconds(1));
        }
        if (!cl.getMeasurementIterations().hasValue()) {
            o.measurementIterations(quick ? 2 : 5);
        }
        if (!cl.getMeasurementTime().hasValue()) {
            o.measurementTime(quick ? TimeValue.milliseconds(300) : TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        System.out.println();
        System.out.print(ratios(results));
    }

    /**
     * @param results JMH's results
     * @return a table: each benchmark's score, error and its ratio to the baseline of its class
     */
    static String ratios(Collection<RunResult> results) {
        Map<String, List<RunResult>> byClass = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            byClass.computeIfAbsent(name.substring(0, name.lastIndexOf('.')), k -> new ArrayList<>()).add(r);
        }
        StringBuilder b = new StringBuilder();
        byClass.forEach((cls, runs) -> {
            b.append(cls.substring(cls.lastIndexOf('.') + 1)).append('\n');
            Result base = runs.stream().filter(r -> method(r).startsWith("baseline")).map(RunResult::getPrimaryResult)
                    .findFirst().orElse(null);
            for (RunResult r : runs) {
                Result s = r.getPrimaryResult();
                String ratio = base == null ? "(no baseline)"
                        : String.format(Locale.ROOT, "%6.2f x baseline", s.getScore() / base.getScore());
                b.append(String.format(Locale.ROOT, "  %-22s %12.1f ± %8.1f %-6s %s%n", method(r), s.getScore(),
                        s.getScoreError(), s.getScoreUnit(), ratio));
            }
        });
        return b.toString();
    }

    private static String method(RunResult r) {
        String name = r.getParams().getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
