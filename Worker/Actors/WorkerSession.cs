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
using DistTrainer.Worker.Compute;
using DistTrainer.Worker.DataPlane;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Worker.Actors;

/// <summary>
/// Everything a worker holds for one run: the dataset it read, its backend and model, and its data
/// plane link to the parameter server. Opened off the actor (it reads files and connects a socket);
/// its <see cref="Compute"/> runs on a compute thread.
/// </summary>
public sealed class WorkerSession : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly ParameterServerLink _link;
    private readonly string _workerId;
    private readonly PayloadPool _payloads = PayloadPool.Shared;
    private readonly ComputeThread _thread;
    private readonly WorkerMetrics? _metrics;

    private WorkerSession(IComputeBackend backend, ShardComputer computer, ParameterServerLink link, string workerId, WorkerMetrics? metrics)
    {
        _thread = new ComputeThread($"compute {workerId}");
        _backend = backend;
        Computer = computer;
        _link = link;
        _workerId = workerId;
        _metrics = metrics;
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
        ParameterServerLink? link = null;
        try
        {
            link = ParameterServerLink.Connect(job.DataPlaneHost, job.DataPlanePort, settings.WorkerId, streamToken, worker,
                TimeSpan.FromSeconds(job.ExchangeTimeoutSeconds), node, dataPlane);
            var computer = new ShardComputer(spec, loss, train, backend, job.MaxShardRows, job.Seed,
                job.SynchronisedBatchNorm ? link.Exchange : null);
            settings.Metrics?.Attach(link.Connection);
            return new WorkerSession(backend, computer, link, settings.WorkerId, settings.Metrics);
        }
        catch
        {
            link?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Computes one shard with the given weights on the session's compute thread and sends the result;
    /// the task says why it failed, or null. The result goes out in a pooled payload that returns to the
    /// pool once written.
    /// </summary>
    public Task<string?> ComputeAsync(ComputeShard shard, WeightsArrived weights) => _thread.Run(() => Compute(shard, weights));

    private string? Compute(ComputeShard shard, WeightsArrived weights)
    {
        var payload = _payloads.Rent(Computer.Layout.Length);
        try
        {
            if (Computer.WeightsVersion != weights.Version) Computer.LoadWeights(weights.Version, weights.Weights);
            _link.Exchange.Begin(shard.Step, shard.Attempt, shard.ShardId);
            var output = Computer.Compute(shard.Step, shard.RowOffset, shard.Indices, shard.Normalizer, payload);
            _link.SendResult(shard, output, () => _payloads.Return(payload));
            _metrics?.ShardComputed(output.Seconds);
            return null;
        }
        catch (ShardAbandonedException)
        {
            _payloads.Return(payload);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _payloads.Return(payload);
            return $"worker {_workerId}: {e.Message}";
        }
    }

    /// <summary>
    /// Closes the data plane (a shard in progress fails fast) and frees the model on the compute thread
    /// once it is idle: never under a shard still computing, and without blocking the caller.
    /// </summary>
    public void Dispose()
    {
        _link.Dispose();
        _thread.Stop(() =>
        {
            Computer.Dispose();
            _backend.Dispose();
        });
    }
}
