using System.Diagnostics;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using DistTrainer.Worker.Compute;
using DistTrainer.Worker.DataPlane;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Worker.Actors;

/// <summary>
/// Everything a worker holds for one run: the dataset it read, its backend and model, its data
/// plane link to the parameter server and its shard queue. Opened off the actor (it reads files and
/// connects a socket); shards run on a compute thread as soon as their weights are in (<see cref="ShardQueue"/>).
/// </summary>
public sealed class WorkerSession : IDisposable
{
    private static readonly PayloadPool Payloads = PayloadPool.Shared;

    private readonly IReadOnlyList<ComputeLane> _lanes;
    private readonly ParameterServerLink _link;
    private readonly string _workerId;
    private readonly ShardQueue _shards;
    private readonly WorkerMetrics? _metrics;
    private readonly ErrorFeedback? _feedback;
    private readonly SimulatedCompute? _simulated;
    private readonly bool _streamParts;

    private WorkerSession(IReadOnlyList<ComputeLane> lanes, ParameterServerLink link, ShardQueue shards, string workerId, IActorRef worker,
        WorkerMetrics? metrics, WireDtype wireDtype, int[]? keyRangeCuts, SimulatedCompute? simulated, bool streamParts)
    {
        _lanes = lanes;
        _simulated = simulated;
        _streamParts = streamParts;
        _feedback = wireDtype == WireDtype.Fp32 ? null : new ErrorFeedback(new PackedShardPayload(Computer.Layout, wireDtype, keyRangeCuts));
        _shards = shards;
        _link = link;
        _workerId = workerId;
        _metrics = metrics;
        shards.Open(Compute, (shard, error) => worker.Tell(new ShardComputeFailed(shard, error)));
    }

    /// <summary>The first lane's model (every lane's has the same layout).</summary>
    public ShardComputer Computer => _lanes[0].Computer;
    public string BackendName => Computer.BackendName;

    /// <param name="streamToken">The registration's token, which the data-plane stream presents.</param>
    /// <param name="attempt">Told each stage as it begins, so that an opening that outlasts its bound can say where it was.</param>
    public static WorkerSession Open(TrainingJob job, string streamToken, WorkerSettings settings, WorkerNodeSettings node, DataPlaneOptions dataPlane,
        IActorRef worker, ILogger log, PrepareAttempt attempt)
    {
        attempt.Stage = $"loading the dataset {job.Dataset}";
        var train = DatasetLoader.LoadTraining(job.Dataset, settings.DataDir ?? job.DataDir, job.TrainSamples);
        var fingerprint = DatasetFingerprint.Of(train);
        if (fingerprint != job.Data)
            throw new InvalidInputException(
                $"this worker's dataset {fingerprint.Name} ({fingerprint.Count} samples, checksum {fingerprint.Checksum:x16}) is not the " +
                $"coordinator's {job.Data.Name} ({job.Data.Count} samples, checksum {job.Data.Checksum:x16})");
        var spec = ModelSpec.Parse(job.Layers);
        var loss = LossFunction.Parse(job.Loss);
        // With synchronised batch norm the shards of a step wait on each other, so a worker computes all it holds of one
        // step at the same time: the job says how many lanes that takes (the step's shards; otherwise one).
        int laneCount = Math.Max(1, job.ConcurrentShards);
        attempt.Stage = $"creating the {settings.Device} compute backend";
        var backend = BackendFactory.Create(settings.Device, settings.Threads, log);
        if (backend is CpuBackend cpu && node.SimulatedComputePerRow <= TimeSpan.Zero && ShardComputeWarmUp.Claim())
        {
            attempt.Stage = "warming the compute path";
            WarmUp(spec, loss, train, cpu.Threads, Math.Min(job.MaxShardRows, WarmUpRows), job.Seed, log);
        }
        var threads = Enumerable.Range(0, laneCount)
            .Select(lane => new ComputeThread(lane == 0 ? $"compute {settings.WorkerId}" : $"compute {settings.WorkerId} lane {lane}", node.ComputeSpin))
            .ToArray();
        var shards = new ShardQueue(threads, Payloads.Return, log);
        ParameterServerLink? link = null;
        try
        {
            attempt.Stage = $"connecting the data plane to the parameter server at {job.DataPlaneHost}:{job.DataPlanePort}";
            var connected = link = ParameterServerLink.Connect(job.DataPlaneHost, job.DataPlanePort, settings.WorkerId, streamToken, worker,
                shards.Deliver, TimeSpan.FromSeconds(job.ExchangeTimeoutSeconds), node, dataPlane, laneCount, job.KeyRangeCuts,
                job.KeyRangeServers);
            ShardComputer Model(IComputeBackend on, int lane) =>
                new(spec, loss, train, on, job.MaxShardRows, job.Seed, job.SynchronisedBatchNorm ? connected.Exchanges[lane] : null);
            attempt.Stage = "building the model";
            var lanes = threads.Select((thread, lane) => lane == 0
                ? new ComputeLane(thread, backend, Model(backend, 0))
                : new ComputeLane(thread, () =>
                {
                    var own = BackendFactory.Create(settings.Device, settings.Threads, log);
                    return (own, Model(own, lane));
                })).ToArray();
            settings.Metrics?.Attach(connected.Connections);
            var simulated = node.SimulatedComputePerRow > TimeSpan.Zero ? new SimulatedCompute(node.SimulatedComputePerRow, lanes[0].Computer.Layout) : null;
            return new WorkerSession(lanes, connected, shards, settings.WorkerId, worker, settings.Metrics, job.WireDtype, job.KeyRangeCuts, simulated,
                node.StreamParts);
        }
        catch
        {
            shards.Stop();
            link?.Dispose();
            foreach (var thread in threads) thread.Stop(() => { });
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Rows of a warm-up shard at most: enough for every path of the kernels, few enough for a full-batch job.</summary>
    private const int WarmUpRows = 256;

    /// <summary>
    /// The shard compute run on a model of its own before the session is ready (<see cref="ShardComputeWarmUp"/>): in a worker
    /// process the first shards would compile it otherwise, 0.1-0.2 s of a run's first step. A worker in the embedded
    /// cluster's process finds it claimed by that process's step-path warm-up. A failure costs only the warm-up.
    /// </summary>
    private static void WarmUp(ModelSpec spec, LossFunction loss, Dataset train, int threads, int rows, ulong seed, ILogger log)
    {
        try
        {
            long start = Stopwatch.GetTimestamp();
            using var warmUp = new ShardComputeWarmUp(spec, loss, train, threads, rows, shards: 1, seed);
            int steps = warmUp.Run(CancellationToken.None);
            log.Debug("Compute path warmed: {Steps} shards of {Rows} rows in {Milliseconds:F0} ms", steps, rows,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.Warning("The compute path's warm-up failed ({Reason}): the first shards compile it instead", e.Message);
        }
    }

    /// <summary>
    /// Queues an assigned shard: it computes on the session's compute thread once the weights of its step are
    /// here, and its result goes out on the data plane; a failure comes back to the worker actor as
    /// <see cref="ShardComputeFailed"/>.
    /// </summary>
    public void Assign(ComputeShard shard) => _shards.Assign(shard);

    /// <summary>
    /// Computes one shard with the given weights and sends the result; returns why it failed, or null. The result
    /// goes out in a pooled payload that returns to the pool once written.
    /// </summary>
    private string? Compute(int lane, ComputeShard shard, WeightsArrived weights)
    {
        var computer = _lanes[lane].Computer;
        var payload = Payloads.Rent(computer.Layout.Length);
        var rented = payload;
        // A float32 result of computed shards on key range streams leaves part by part as backward makes it; the link then
        // owns the payload from the start, and frees it once every send that began has ended.
        var streamed = _streamParts && _simulated is null && _feedback is null ? _link.StreamResult(shard, rented, () => Payloads.Return(rented)) : null;
        try
        {
            _link.Exchanges[lane].Begin(shard.Step, shard.Attempt, shard.ShardId);
            var output = _simulated?.Compute(shard.Indices.Length, shard.Normalizer, payload) ?? ComputeHere(computer, shard, weights, payload, streamed);
            if (streamed is not null) streamed.Finish(output);
            else
            {
                if (_feedback is not null) output = Pack(shard, output, ref payload);
                var sent = payload;
                // The link owns the payload from here and frees it however the send ends.
                payload = [];
                _link.SendResult(shard, output, _feedback?.Packing, () => Payloads.Return(sent));
            }
            _metrics?.ShardComputed(output.Seconds);
            return null;
        }
        catch (ShardAbandonedException)
        {
            Release(streamed, payload);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Release(streamed, payload);
            return $"worker {_workerId}: {e.Message}";
        }
    }

    private static void Release(StreamedResult? streamed, float[] payload)
    {
        if (streamed is not null) streamed.Abandon();
        else Payloads.Return(payload);
    }

    private static ShardOutput ComputeHere(ShardComputer computer, ComputeShard shard, WeightsArrived weights, float[] payload, StreamedResult? streamed)
    {
        if (computer.WeightsVersion != weights.Version) computer.LoadWeights(weights.Version, weights.Weights);
        return computer.Compute(shard.Step, shard.RowOffset, shard.Indices, shard.Normalizer, payload, streamed?.GradientsFinal);
    }

    /// <summary>
    /// Rounds the output's gradients into a packed payload of the run's wire dtype, with the shard's error feedback;
    /// the full payload goes back to the pool and <paramref name="payload"/> becomes the packed one. Lanes take turns:
    /// the error feedback is the shards' own, whichever lane computes them.
    /// </summary>
    private ShardOutput Pack(ComputeShard shard, ShardOutput output, ref float[] payload)
    {
        var packed = Payloads.Rent(_feedback!.Packing.Length);
        lock (_feedback) _feedback.Pack(shard.ShardId, payload, packed);
        Payloads.Return(payload);
        payload = packed;
        return output with { Payload = packed };
    }

    /// <summary>
    /// Closes the data plane (a shard in progress fails fast) and frees each lane's model on its thread once it is
    /// idle: never under a shard still computing, and without blocking the caller.
    /// </summary>
    public void Dispose()
    {
        _shards.Stop();
        _link.Dispose();
        foreach (var lane in _lanes) lane.Stop();
    }
}
