using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Data;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Scaling shown by simulation: the real coordinator, parameter server and data plane with N simulated workers (each
/// shard a wait of the compute time measured here, a stand-in result of the real size), every node's link capped by its
/// token buckets, for each worker count, link rate and batch per worker; scaling efficiency of the single parameter
/// server and of its key ranges served one on each worker's node, beside the ring all-reduce bound on the same link model;
/// each measured in real time and, where the nodes outnumber this machine's cores, in stretched time (<see cref="TimeDilation"/>).
/// First the simulator is checked against real workers where this machine can run them (no cap).
/// </summary>
public static class ScaleBenchmark
{
    private const string Optimizer = "adam";

    public static int Run(BenchmarkArguments args)
    {
        int[] workerCounts = [.. args.Integers("--workers", [1, 2, 4]).Append(1).Distinct().Order()];
        int[] gigabits = args.Integers("--gbits", [10]);
        int[] batches = args.Integers("--batch", [256]);
        int[] validated = args.Integers("--validate", [1, 2]);
        int steps = args.Int("--steps", 15);
        int warmUp = args.Int("--warm-up", 3);
        int rounds = args.Int("--rounds", 1);
        // Every range on a node of its own talks to every worker: N x N streams, each with its threads, on this machine's cores.
        int rangesAtMost = args.Int("--ranges-at-most", int.MaxValue);
        if (rangesAtMost < 2) throw new Core.InvalidInputException($"--ranges-at-most {rangesAtMost}: key ranges on workers' nodes are 2 or more");
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "scaling.md"));
        if (warmUp >= steps) throw new Core.InvalidInputException($"--warm-up {warmUp}: must be below --steps {steps}");
        string loadBefore = MachineInfo.LoadAverage();
        var train = DatasetLoader.LoadTraining(DatasetLoader.FashionMnist, null, trainSamples: null);
        long parameters = ReferenceRuns.ParameterCountOf(TrainOptions.DefaultLayers);
        double gradientBytes = parameters * sizeof(float);

        // A loaded shared machine computes many times slower than a quiet one: a figure measured when it was quiet can be given instead.
        int? givenNanoseconds = args.Int("--compute-ns-per-row");
        var perRow = batches.ToDictionary(b => b, b => givenNanoseconds is { } ns
            ? TimeSpan.FromMicroseconds(ns / 1000.0)
            : ShardComputeTime.PerRow(TrainOptions.DefaultLayers, train, b));
        string computeSource = givenNanoseconds is null
            ? "was measured at the start of this run with the worker's own ShardComputer on the CPU backend, 1 thread, on this machine (the fastest of 30 shards)"
            : "was given (--compute-ns-per-row) rather than measured";
        foreach (var (batch, time) in perRow) Console.WriteLine($"batch {batch}: {time.TotalMicroseconds:F2} us per row");

        var check = new SimulatedCluster(new ReferenceRuns(TrainOptions.DefaultLayers, Optimizer, train, batches[0]), steps, warmUp);
        var validation = validated.Select(n => SimulatorCheck.Run(check, n)).ToList();

        // The settings take turns for several rounds and each keeps its best: a burst of load on the shared machine then
        // costs one round of one setting, not the comparison. Each setting is run with the parameter server whole and, from
        // two workers on, with its key ranges on the workers' nodes (one worker has nothing to shard); each of those in
        // real time and, where the nodes outnumber the cores, stretched (TimeDilation).
        int cores = Environment.ProcessorCount;
        var measured = new Dictionary<(ScaleSetting Setting, bool Sharded, bool Dilated), double>();
        for (int round = 1; round <= rounds; round++)
            foreach (int g in gigabits)
                foreach (int batch in batches)
                {
                    var cluster = new SimulatedCluster(new ReferenceRuns(TrainOptions.DefaultLayers, Optimizer, train, batch), steps, warmUp);
                    foreach (int n in workerCounts)
                        foreach (bool sharded in n > 1 ? [false, true] : new[] { false })
                        {
                            var setting = new ScaleSetting(n, g, batch);
                            int k = sharded ? Math.Min(n, rangesAtMost) : 0;
                            double Rate(TimeDilation dilation)
                            {
                                double rate = MeasuredOrFailed(() => cluster.SamplesPerSecond(n, cluster.SimulatedStepSeconds(n, perRow[batch], g, k, dilation)));
                                string ranges = sharded ? $", {k} key ranges on their nodes" : "";
                                string stretched = dilation.Factor > 1 ? $", time stretched {dilation.Factor:F1}x" : "";
                                Console.WriteLine($"round {round}, {g} Gbit/s, batch {batch}, {n} workers{ranges}{stretched}: {rate:F0} samples/s");
                                return rate;
                            }
                            double realTime = Rate(TimeDilation.None);
                            Keep((setting, sharded, false), realTime);
                            // Where nodes do not outnumber the cores, the stretched run is the real-time one.
                            var stretch = TimeDilation.ForNodes(n, cores);
                            Keep((setting, sharded, true), stretch.Factor > 1 ? Rate(stretch) : realTime);
                        }
                }

        void Keep((ScaleSetting, bool, bool) key, double rate)
        {
            if (!measured.TryGetValue(key, out double best) || double.IsNaN(best) || rate > best) measured[key] = rate;
        }

        double Compute(ScaleSetting s) => perRow[s.BatchPerWorker].TotalSeconds * s.BatchPerWorker;
        ScalingColumn[] columns =
        [
            new("parameter server", s => measured[(s, false, false)]),
            new("sharded parameter server", s => measured[(s, s.Workers > 1, false)]),
            new("parameter server, stretched", s => measured[(s, false, true)]),
            new("sharded, stretched", s => measured[(s, s.Workers > 1, true)]),
            new("ring all-reduce bound", s => RingAllReduceBound.SamplesPerSecond(s, gradientBytes, Compute(s))),
        ];
        var settings = measured.Keys.Where(k => !k.Sharded && !k.Dilated).Select(k => k.Setting).ToList();
        var rows = settings.Select(s => Row(s, Compute(s), columns)).ToList();
        string plot = Path.ChangeExtension(output, ".png");
        WritePlot(plot, settings, columns);

        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var report = new BenchmarkReport("Scaling by simulation: parameter server, whole and sharded, against the ring all-reduce bound", "scale", args)
        {
            MachineDetails = $"; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                $"Model: the default `train` MLP ({TrainOptions.DefaultLayers}, {parameters} parameters, {F(gradientBytes / 1e6, "F2")} MB of",
                $"gradients), {Optimizer}, cross-entropy, Fashion-MNIST, the embedded cluster's real coordinator, parameter server and data plane.",
                "Each worker is a real worker node (its actor system, registration and data-plane stream) whose shard is a wait",
                "(disttrainer.worker.simulated-compute-per-row-us) and whose result is a stand-in of the real result's size; its compute",
                "thread blocks between shards instead of polling (compute-spin-us = 0: a real node polls on a core of its own). The wait per row",
                $"{computeSource}: " +
                string.Join(", ", perRow.Select(p => $"batch {p.Key}: {F(p.Value.TotalMicroseconds, "F2")} us/row")) + ".",
                "Every node's link is capped in each direction by token buckets in its data plane (disttrainer.data-plane.link-gbits): the",
                "parameter server's node has one link for all its workers, so each step moves 2 x N x the model's bytes through it; each",
                "worker's node has its own, shared by its worker and the key range it hosts. A node's frames to several peers leave",
                "one after the other.",
                $"samples/s = N x batch / the median step time of steps {warmUp + 1}..{steps} (the first {warmUp} are warm-up), the best of",
                $"{rounds} round(s) in which every setting runs in turn.",
                "efficiency = samples/s / (N x the same column's samples/s with one worker, same link and batch). Each column counts from",
                "its own one-worker figure: the parameter server's one worker sends and receives the whole model over its link, while a",
                "worker beside N ranges keeps its own range's 1/N in memory, and the ring's one worker has no exchange at all. So the",
                "sharded server's efficiency can pass 1 and the ring's; the samples/s columns compare the schemes directly.",
                "sharded parameter server = the same runs with `--ps-shards N --ps-placement workers`, in the same rounds: key range r",
                "of the parameters is summed, stepped and sent from the r-th worker's node; the coordinator's parameter server keeps",
                "the results' heads (loss, counts, batch-norm moments) and the step's one decision, two control exchanges with every",
                "range per step. Each node's one link carries its range's parts in from the N-1 other workers and its range's weights",
                "out to them, besides its worker's N-1 parts out and N-1 ranges in: 2(N-1)/N x the model's bytes each way, the ring's",
                "figure; a worker's stream to the range on its own node stays in memory and does not cross the link. With one worker",
                "there is nothing to shard: that row is the single server's run.",
                rangesAtMost == int.MaxValue
                    ? "Every worker's node serves a range (K = N)."
                    : $"K = min(N, {rangesAtMost}) ranges (--ranges-at-most), on the first K workers' nodes: each of those nodes then carries " +
                      "(N-1)/K x the model's bytes of parts in and as many of weights out, besides its worker's.",
                "ring all-reduce bound = computed, not run: compute + 2(N-1)/N x gradient bytes / link rate per step, no overlap.",
                "failed: the run ended early (on a loaded machine, dozens of actor systems in one process can miss the cluster's heartbeats).",
                $"All nodes share this machine's {cores} cores: at many workers the data plane's own CPU work (checksums, copies, thread",
                "wake-ups) and the actors of N+1 nodes compete for them, so the real-time columns are lower bounds of what separate",
                "machines would do. The stretched columns are the same runs in virtual time (TimeDilation): every simulated wait is",
                $"F = (N+1)/{cores} times longer (compute x F, link rate / F) and the measured step is divided by F, so that each node has,",
                "while all are busy, at least one of this machine's cores per virtual second for its own work: nodes of one core each",
                "for their communication (a node busy alone gets more). Where N+1 <= the cores, F = 1 and the stretched run is the real one.",
                "",
                $"Simulator against real workers (no link cap, batch {batches[0]} per worker, real compute on 1 thread each, same steps, one round); the",
                "simulated run waits, per shard, the median compute the real run's workers reported (the load moves compute between runs):",
                "",
                .. SimulatorCheck.Table(validation),
                "",
                $"![scaling efficiency]({Path.GetFileName(plot)})",
            ],
        };
        report.Write(output, ["link Gbit/s", "batch/worker", "workers", "compute ms", .. columns.SelectMany(c => new[] { $"{c.Name} samples/s", $"{c.Name} efficiency" })],
            rows);
        return 0;
    }

    /// <summary>
    /// A run that ends early (dozens of actor systems on a loaded two-core machine can miss their heartbeats) is one
    /// missing cell, said in the table and on the console, not the end of an hour's grid.
    /// </summary>
    private static double MeasuredOrFailed(Func<double> measure)
    {
        try
        {
            return measure();
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"run failed: {e.Message}");
            return double.NaN;
        }
    }

    private static string Row(ScaleSetting setting, double computeSeconds, IReadOnlyList<ScalingColumn> columns)
    {
        string F(double v, string format) => double.IsNaN(v) ? "failed" : v.ToString(format, CultureInfo.InvariantCulture);
        var cells = columns.Select(c =>
        {
            double rate = c.SamplesPerSecond(setting);
            return $"{F(rate, "F0")} | {F(c.Efficiency(setting, rate), "F2")}";
        });
        string line = $"| {F(setting.Gigabits, "G")} | {setting.BatchPerWorker} | {setting.Workers} | {F(1000 * computeSeconds, "F2")} | {string.Join(" | ", cells)} |";
        Console.WriteLine(line);
        return line;
    }

    /// <summary>One panel per link rate and batch: each column's efficiency against the worker count.</summary>
    private static void WritePlot(string path, IReadOnlyList<ScaleSetting> settings, IReadOnlyList<ScalingColumn> columns)
    {
        var panels = settings.GroupBy(s => (s.Gigabits, s.BatchPerWorker)).Select(group =>
        {
            var points = group.OrderBy(s => s.Workers).ToList();
            IReadOnlyList<Series> series = columns.Select(c =>
            {
                var drawn = points.Select(s => (Workers: (double)s.Workers, Efficiency: c.Efficiency(s, c.SamplesPerSecond(s))))
                    .Where(p => double.IsFinite(p.Efficiency)).ToList();
                return new Series(c.Name, drawn.Select(p => p.Workers).ToList(), drawn.Select(p => p.Efficiency).ToList());
            }).ToList();
            return ($"{group.Key.Gigabits} Gbit/s, batch {group.Key.BatchPerWorker}", series);
        }).ToList();
        LinePlot.SavePanels(path, "Scaling efficiency by simulation", "workers", "efficiency", panels);
    }
}
