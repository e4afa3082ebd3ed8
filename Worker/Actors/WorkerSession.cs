using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core;
using DistTrainer.Core.Compute;
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

    private readonly IComputeBackend _backend;
    private readonly ParameterServerLink _link;
    private readonly string _workerId;
    private readonly ComputeThread _thread;
    private readonly ShardQueue _shards;
    private readonly WorkerMetrics? _metrics;
    private readonly ErrorFeedback? _feedback;
    private readonly FrameKind _resultKind;
    private readonly SimulatedCompute? _simulated;

    private WorkerSession(IComputeBackend backend, ShardComputer computer, ParameterServerLink link, ComputeThread thread, ShardQueue shards,
        string workerId, IActorRef worker, WorkerMetrics? metrics, WireDtype wireDtype, SimulatedCompute? simulated)
    {
        _simulated = simulated;
        _resultKind = GradientFrames.Kind(wireDtype);
        _feedback = wireDtype == WireDtype.Fp32 ? null : new ErrorFeedback(new PackedShardPayload(computer.Layout, wireDtype));
        _thread = thread;
        _shards = shards;
        _backend = backend;
        Computer = computer;
        _link = link;
        _workerId = workerId;
        _metrics = metrics;
        shards.Open(Compute, (shard, error) => worker.Tell(new ShardComputeFailed(shard, error)));
    }

    public ShardComputer Computer { get; }
    public string BackendName => _backend.Name;

    /// <param name="streamToken">The registration's token, which the data-plane stream presents.</param>
    public static WorkerSession Open(TrainingJob job, string streamToken, WorkerSettings settings, WorkerNodeSettings node, DataPlaneOptions dataPlane,
        IActorRef worker, ILogger log)
    {
        var (train, _) = DatasetLoader.Load(job.Dataset, settings.DataDir ?? job.DataDir, job.TrainSamples, testSamples: null);
        var fingerprint = DatasetFingerprint.Of(train);
        if (fingerprint != job.Data)
            throw new InvalidInputException(
                $"this worker's dataset {fingerprint.Name} ({fingerprint.Count} samples, checksum {fingerprint.Checksum:x16}) is not the " +
                $"coordinator's {job.Data.Name} ({job.Data.Count} samples, checksum {job.Data.Checksum:x16})");
        var spec = ModelSpec.Parse(job.Layers);
        var loss = LossFunction.Parse(job.Loss);
        var backend = BackendFactory.Create(settings.Device, settings.Threads, log);
        var thread = new ComputeThread($"compute {settings.WorkerId}", node.ComputeSpin);
        var shards = new ShardQueue(thread, Payloads.Return, log);
        ParameterServerLink? link = null;
        try
        {
            link = ParameterServerLink.Connect(job.DataPlaneHost, job.DataPlanePort, settings.WorkerId, streamToken, worker, shards.Deliver,
                TimeSpan.FromSeconds(job.ExchangeTimeoutSeconds), node, dataPlane);
            var computer = new ShardComputer(spec, loss, train, backend, job.MaxShardRows, job.Seed,
                job.SynchronisedBatchNorm ? link.Exchange : null);
            settings.Metrics?.Attach(link.Connection);
            var simulated = node.SimulatedComputePerRow > TimeSpan.Zero ? new SimulatedCompute(node.SimulatedComputePerRow, computer.Layout) : null;
            return new WorkerSession(backend, computer, link, thread, shards, settings.WorkerId, worker, settings.Metrics, job.WireDtype, simulated);
        }
        catch
        {
            shards.Stop();
            link?.Dispose();
            thread.Stop(() => { });
            backend.Dispose();
            throw;
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
    private string? Compute(ComputeShard shard, WeightsArrived weights)
    {
        var payload = Payloads.Rent(Computer.Layout.Length);
        try
        {
            _link.Exchange.Begin(shard.Step, shard.Attempt, shard.ShardId);
            var output = _simulated?.Compute(shard.Indices.Length, shard.Normalizer, payload) ?? ComputeHere(shard, weights, payload);
            if (_feedback is not null) output = Pack(shard, output, ref payload);
            var sent = payload;
            _link.SendResult(shard, output, _resultKind, () => Payloads.Return(sent));
            _metrics?.ShardComputed(output.Seconds);
            return null;
        }
        catch (ShardAbandonedException)
        {
            Payloads.Return(payload);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Payloads.Return(payload);
            return $"worker {_workerId}: {e.Message}";
        }
    }

    private ShardOutput ComputeHere(ComputeShard shard, WeightsArrived weights, float[] payload)
    {
        if (Computer.WeightsVersion != weights.Version) Computer.LoadWeights(weights.Version, weights.Weights);
        return Computer.Compute(shard.Step, shard.RowOffset, shard.Indices, shard.Normalizer, payload);
    }

    /// <summary>
    /// Rounds the output's gradients into a packed payload of the run's wire dtype, with the shard's error feedback;
    /// the full payload goes back to the pool and <paramref name="payload"/> becomes the packed one.
    /// </summary>
    private ShardOutput Pack(ComputeShard shard, ShardOutput output, ref float[] payload)
    {
        var packed = Payloads.Rent(_feedback!.Packing.Length);
        _feedback.Pack(shard.ShardId, payload, packed);
        Payloads.Return(payload);
        payload = packed;
        return output with { Payload = packed };
    }

    /// <summary>
    /// Closes the data plane (a shard in progress fails fast) and frees the model on the compute thread
    /// once it is idle: never under a shard still computing, and without blocking the caller.
    /// </summary>
    public void Dispose()
    {
        _shards.Stop();
        _link.Dispose();
        _thread.Stop(() =>
        {
            Computer.Dispose();
            _backend.Dispose();
        });
    }
}
