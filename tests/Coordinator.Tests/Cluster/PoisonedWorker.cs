using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A worker node that registers as a real worker does and computes each shard it is given exactly as one
/// (<see cref="ShardComputer"/> with the weights of the shard's step), then <paramref name="poison"/> rewrites
/// the gradient before it goes out: the faulty or malicious worker of the robust-aggregation tests, kept out
/// of the worker program.
/// </summary>
internal sealed class PoisonedWorker : IAsyncDisposable
{
    private readonly ActorSystem _node;

    private PoisonedWorker(ActorSystem node) => _node = node;

    /// <summary>Joins the coordinator's cluster through <paramref name="seedNode"/> and registers as <paramref name="id"/>.</summary>
    public static async Task<PoisonedWorker> StartAsync(string seedNode, string id, string dataDir, Action<Span<float>> poison)
    {
        var node = TestNodes.Worker(Serilog.Core.Logger.None, Address.Parse(seedNode));
        // The coordinator's node starts beside this one (it loads the data and prepares the run first): joining it may
        // take as long as the coordinator waits for its workers.
        await TestNodes.UpAsync(node, TimeSpan.FromSeconds(60));
        var coordinator = node.ActorSelection($"{seedNode}/user/{ActorNames.Coordinator}");
        var registration = new RegisterWorker(id, ProtocolVersion.Current, null, TestNodes.AddressOf(node).ToString(), "cpu");
        node.ActorOf(Props.Create(() => new PoisonActor(id, dataDir, poison, coordinator, registration)), id);
        return new PoisonedWorker(node);
    }

    public async ValueTask DisposeAsync() => await _node.Terminate().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Connects its data plane once accepted; computes a shard once the weights of its step are in.</summary>
    private sealed class PoisonActor : ReceiveActor, IWithTimers
    {
        private readonly List<ComputeShard> _pending = [];
        private TensorConnection? _connection;
        private ShardComputer? _computer;
        private float[] _weights = [];
        private long _version = -1;

        public ITimerScheduler Timers { get; set; } = null!;

        /// <remarks>
        /// The seed node is up before its coordinator actor exists, so a registration sent once can reach nobody (seen in CI:
        /// the run waited for a fourth worker that never registered). It is sent again every second until accepted, as the
        /// worker program does.
        /// </remarks>
        public PoisonActor(string id, string dataDir, Action<Span<float>> poison, ActorSelection coordinator, RegisterWorker registration)
        {
            Timers.StartPeriodicTimer("register", registration, TimeSpan.Zero, TimeSpan.FromSeconds(1));
            Receive<RegisterWorker>(register => coordinator.Tell(register));
            Receive<WorkerAccepted>(accepted =>
            {
                Timers.Cancel("register");
                if (_computer is not null) return;
                var job = accepted.Job;
                var train = DatasetLoader.Load(job.Dataset, dataDir, job.TrainSamples, testSamples: null).Train;
                _computer = new ShardComputer(ModelSpec.Parse(job.Layers), LossFunction.Parse(job.Loss), train, new CpuBackend(1),
                    job.MaxShardRows, job.Seed, null);
                var self = Self;
                _connection = TensorClient.Connect(job.DataPlaneHost, job.DataPlanePort, id, TimeSpan.FromSeconds(5), retries: 2,
                    token: accepted.StreamToken);
                _connection.Start((_, frame) =>
                {
                    if (frame.Header.Kind == FrameKind.Weights) self.Tell(new WeightsIn(frame.Header.WeightsVersion, frame.Payload.ToArray()));
                }, (_, _) => { });
            });
            Receive<WeightsIn>(weights =>
            {
                (_version, _weights) = (weights.Version, weights.Weights);
                ComputeReady(poison);
            });
            Receive<ComputeShard>(shard =>
            {
                _pending.Add(shard);
                ComputeReady(poison);
            });
        }

        private void ComputeReady(Action<Span<float>> poison)
        {
            foreach (var shard in _pending.Where(s => s.Step == _version).ToList())
            {
                _pending.Remove(shard);
                var payload = new float[_computer!.Layout.Length];
                _computer.LoadWeights(_version, _weights);
                var output = _computer.Compute(shard.Step, shard.RowOffset, shard.Indices, shard.Normalizer, payload);
                poison(_computer.Layout.Gradients(payload));
                _connection!.Send(new FrameHeader(FrameKind.Gradients, shard.Step, WeightsVersion: shard.Step, shard.ShardId,
                    SampleCount: output.Outcome.Rows, Correct: output.Outcome.Correct, LossSum: output.Outcome.LossSum,
                    Attempt: shard.Attempt), payload);
            }
            _pending.RemoveAll(s => s.Step < _version);
        }

        private sealed record WeightsIn(long Version, float[] Weights) : INoSerializationVerificationNeeded;

        protected override void PostStop()
        {
            _connection?.Dispose();
            _computer?.Dispose();
        }
    }
}
