using System.Diagnostics;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// The embedded cluster's step path, run on throwaway copies while its nodes form: the workers' shard compute, the
/// parameter server's shard-order sum and guarded optimizer step, and the test set's scoring, with the run's model, loss,
/// optimizer, key ranges and CPU thread counts on a step's rows. The runtime compiles a method at its first call and
/// again, optimised, after its thirtieth; done here, in the seconds the nodes take to join, that work leaves the first
/// step (about 0.13 s of it on two cores, docs/benchmarks/warmup.md) and the first epoch. Nothing the run holds is
/// touched, so the run's result is the same with it or without it; a GPU backend is not warmed (its kernels belong to
/// its context).
/// </summary>
public sealed class StepPathWarmUp : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for a warm-up told to stop (it looks between steps of a few milliseconds).</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop;
    private readonly Task _task;

    private StepPathWarmUp(CancellationTokenSource stop, Task task)
    {
        _stop = stop;
        _task = task;
    }

    /// <summary>
    /// Warms the path on a thread of its own, from what it reads of <paramref name="run"/> now; it ends by itself after
    /// <see cref="ShardComputeWarmUp.Steps"/> steps, or at <see cref="Dispose"/>. It claims the process's compute warm-up
    /// (<see cref="ShardComputeWarmUp.Claim"/>), so the workers started in this process do not warm it again.
    /// </summary>
    public static StepPathWarmUp Start(TrainingRun run, int workers, int workerThreads, ILogger log)
    {
        var stop = new CancellationTokenSource();
        if (run.Backend is not CpuBackend backend || run.Train.Count == 0) return new StepPathWarmUp(stop, Task.CompletedTask);
        ShardComputeWarmUp.Claim();
        var path = new StepPath(ModelSpec.Parse(run.Model.Describe()), run.Model.MaxRows, run.Loss, run.Options.Optimizer, run.Train,
            run.Test, run.Options.Seed, Math.Clamp(run.BatchSize / Math.Max(1, workers), 1, run.Train.Count), workers, workerThreads,
            backend.Threads, run.Options.Cluster.PsShards);
        var task = Task.Factory.StartNew(() =>
        {
            try
            {
                long start = Stopwatch.GetTimestamp();
                int steps = Run(path, stop.Token);
                log.Debug("Step path warmed: {Steps} steps of {Workers} shards of {Rows} rows and a test-set score in {Milliseconds:F0} ms",
                    steps, path.Workers, path.Rows, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.Warning("The step path's warm-up failed ({Reason}): the first steps compile it instead", e.Message);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return new StepPathWarmUp(stop, task);
    }

    /// <summary>Stops the warm-up between two of its steps and waits for it, at most <see cref="StopWait"/>.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        if (_task.Wait(StopWait)) _stop.Dispose();
    }

    private sealed record StepPath(ModelSpec Spec, int MaxRows, LossFunction Loss, OptimizerSettings Optimizer, Dataset Train, Dataset? Test,
        ulong Seed, int Rows, int Workers, int WorkerThreads, int ServerThreads, int KeyRanges);

    /// <summary>Runs the path; returns the steps it took (fewer when stopped).</summary>
    private static int Run(StepPath path, CancellationToken stop)
    {
        using var serverBackend = new CpuBackend(path.ServerThreads);
        using var server = new Sequential(path.Spec, serverBackend, path.MaxRows);
        server.Initialize(path.Seed);
        using var applier = new StepApplier(server, OptimizerFactory.Create(path.Optimizer, server.ParameterCount), null, path.KeyRanges,
            TimeSpan.FromSeconds(30), new PayloadPool());
        using var compute = new ShardComputeWarmUp(path.Spec, path.Loss, path.Train, path.WorkerThreads, path.Rows, path.Workers, path.Seed);
        var aggregator = new StepAggregator(applier.Layout);
        int step = 0;
        for (; step < ShardComputeWarmUp.Steps && !stop.IsCancellationRequested; step++)
        {
            var outputs = compute.Step(step, applier.Parameters);
            aggregator.Begin(step, 0, compute.Shards);
            foreach (var shard in compute.Shards)
            {
                var output = outputs[shard.Id];
                aggregator.Offer(new ShardResult(step, 0, shard.Id, shard.Count, output.Outcome.LossSum, output.Outcome.Correct,
                    output.Payload), out _);
            }
            applier.TryApply(aggregator, out _, out _);
        }
        if (path.Test is not { Count: > 0 } test || stop.IsCancellationRequested) return step;
        applier.WriteModel();
        using var evaluator = new BatchRunner(server, path.Loss);
        evaluator.EvaluateRows(test, [.. Enumerable.Range(0, path.Workers * path.Rows).Select(i => i % test.Count)]);
        return step;
    }
}
