using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>
/// The run the actor tests drive: the built-in xor set, a 2-4-2 model with cross-entropy and plain
/// SGD on the CPU, and a parameter server for it whose data plane listens on a free loopback port.
/// </summary>
internal sealed class XorTraining : IDisposable
{
    public const ulong Seed = 7;
    public const float LearningRate = 0.5f;

    private readonly IComputeBackend _backend = new CpuBackend(1);

    public XorTraining()
    {
        Data = DatasetLoader.Load(DatasetLoader.Xor, null).Train;
        Model = new Sequential(ModelSpec.Parse("linear:2:4,tanh,linear:4:2"), _backend, Data.Count);
        Model.Initialize(Seed);
        Runner = new BatchRunner(Model, Loss);
        Layout = ShardPayloadLayout.Of(Model);
        InitialWeights = new float[Model.ParameterCount];
        _backend.Download(Model.Parameters, InitialWeights);
    }

    public static LossFunction Loss { get; } = LossFunction.Parse("cross-entropy");
    public Dataset Data { get; }
    public Sequential Model { get; }
    public BatchRunner Runner { get; }
    public ShardPayloadLayout Layout { get; }
    public float[] InitialWeights { get; }
    public string Layers => Model.Describe();

    /// <summary>The parameter server's data-plane listener, once started.</summary>
    public TensorListener? Listener { get; private set; }

    /// <summary>Where the key ranges' servers take the workers' range streams, once a parameter server with them is started.</summary>
    public int RangeHostPort { get; private set; }

    /// <summary>What a coordinator of this run tells its workers.</summary>
    public TrainingJob Job => new(Layers, Loss.Name, DatasetLoader.Xor, null, DatasetFingerprint.Of(Data), Seed, false, Data.Count,
        "127.0.0.1", Listener?.Port ?? 0, 5);

    /// <summary>
    /// Starts the parameter server in <paramref name="system"/> (without checkpoints unless <paramref name="settings"/> say);
    /// its reports go to whoever sends it AdmitWorker and BeginStep. <paramref name="maxShardNormRatio"/>: its robust rule
    /// when no settings are given (0: off).
    /// </summary>
    public IActorRef StartParameterServer(ActorSystem system, ILogger log, ParameterServerSettings? settings = null, double maxShardNormRatio = 0)
    {
        IActorRef server = ActorRefs.Nobody;
        var listener = new TensorListener("127.0.0.1", 0, connection => server.Tell(new ParameterServerActor.DataPlaneConnected(connection)),
            refusal => log.Warning("Data plane: refused a connection: {Reason}", refusal));
        Listener = listener;
        settings ??= new ParameterServerSettings(null, MaxShardNormRatio: maxShardNormRatio);
        // Key ranges on streams of their own are served by a host of their own, on a listener of its own, as a node starts them.
        if (settings is { RangeStreams: true, Shards: > 1, RangeHosts.Count: 0 })
        {
            var (host, port) = RangeHosting.Start(system, "127.0.0.1", listener.Options, log, bounds: KeyRangeBounds.Default with { HandOverWait = TimeSpan.FromSeconds(2) });
            settings = settings with { RangeHosts = RangeHosting.ServeAll(host, "127.0.0.1", port, settings.Shards) };
            RangeHostPort = port;
        }
        server = system.ActorOf(ParameterServerActor.Props(settings, Runner, Data, Optimizer(), listener, log), ParameterServerActor.Name);
        return server;
    }

    public IOptimizer Optimizer() => OptimizerFactory.Create(new OptimizerSettings("sgd", LearningRate), Model.ParameterCount);

    /// <summary>A run of <paramref name="steps"/> steps, each one batch of the whole xor set (so each step ends an epoch), shards of equal size.</summary>
    public CoordinatorSettings Settings(int expectWorkers, long steps, TimeSpan shardDeadline, TimeSpan workerTimeout) =>
        new(Job, Data.Count, Data.Count, 1, steps, false, 0, expectWorkers, ShardSizing.Equal, false,
            rows => Loss.Normalizer(rows, Model.OutputWidth), shardDeadline, workerTimeout);

    /// <summary>A well-formed shard result whose every gradient is <paramref name="gradient"/>.</summary>
    public float[] Result(float gradient) => Enumerable.Repeat(gradient, Layout.Length).ToArray();

    public void Dispose()
    {
        Runner.Dispose();
        Model.Dispose();
        _backend.Dispose();
    }
}
