using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Security;
using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Cluster.Tests.Security;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Worker.Actors;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>
/// A coordinator node and real worker nodes, each its own actor system joined as a cluster on
/// 127.0.0.1 with free ports, every message through its serializer: registration over real remoting,
/// refusals seen from both sides, and a short run, in clear and with both planes over mutual TLS.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly CollectingSink _sink = new();
    private readonly XorTraining _training = new();
    private CoordinatorNode? _coordinator;
    private EmbeddedWorkers? _workers;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        if (_workers is not null) await _workers.DisposeAsync();
        _training.Dispose();
    }

    private void Start(CoordinatorSettings settings, int workers, string? expectedLayers = null, TlsCredentials? tls = null)
    {
        var log = _sink.CreateLogger();
        _coordinator = CoordinatorNode.Start(new ClusterNodeOptions("127.0.0.1", 0, Tls: tls), "127.0.0.1", 0, settings,
            new ParameterServerSettings(null), _training.Runner, _training.Data, _training.Optimizer(), new IgnoreProgress(), log,
            TestNodes.Overrides);
        _workers = EmbeddedWorkers.Start(workers, _coordinator.SeedNode,
            i => new WorkerSettings($"w{i + 1}", expectedLayers, null, "cpu", 1, Timeout), log, TestNodes.Overrides, tls);
    }

    private Task<LogEvent> Logged(string template, string worker) =>
        _sink.WaitForAsync(e => e.MessageTemplate.Text == template && e.RenderMessage().Contains($"\"{worker}\""), Timeout);

    [Fact]
    public async Task Two_worker_nodes_register_over_remoting_and_train_three_steps()
    {
        Start(_training.Settings(2, 3, Timeout, Timeout), 2);

        var report = await _coordinator!.Completion.WaitAsync(Timeout);

        Assert.Null(report.Result.Failure);
        Assert.Equal([0L, 1L, 2L], report.AppliedSteps);
        Assert.Equal(["w1", "w2"], report.ShardsPerWorker.Keys.Order());
        Assert.Equal(6, report.ShardsPerWorker.Values.Sum());
        Assert.Equal(new AggregationCounts(0, 0, 0), report.Dropped);
        await Logged("Registered worker {Worker} on {Node} ({Backend})", "w1");
        await Logged("Registered worker {Worker} on {Node} ({Backend})", "w2");
    }

    [Fact]
    public async Task With_TLS_two_worker_nodes_train_over_both_planes_and_a_plaintext_stream_is_refused()
    {
        Start(_training.Settings(2, 3, Timeout, Timeout), 2, tls: new TestCertificates().Node("coordinator"));
        var up = await _sink.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Coordinator node {Node} up"), Timeout);
        int dataPlanePort = int.Parse(up.Properties["Port"].ToString());

        var report = await _coordinator!.Completion.WaitAsync(Timeout);
        using (var plaintext = TensorClient.Connect("127.0.0.1", dataPlanePort, "w9", Timeout, retries: 0))
        {
            var refused = await _sink.WaitForAsync(e => e.MessageTemplate.Text == "Data plane: refused a connection: {Reason}", Timeout);
            Assert.Contains("TLS handshake failed", refused.RenderMessage());
        }

        Assert.Null(report.Result.Failure);
        Assert.Equal([0L, 1L, 2L], report.AppliedSteps);
        Assert.Equal(["w1", "w2"], report.ShardsPerWorker.Keys.Order());
        Assert.StartsWith("akka.ssl.tcp://", _coordinator.SeedNode);
    }

    [Fact]
    public async Task A_worker_node_expecting_another_model_is_refused_and_both_sides_log_why()
    {
        Start(_training.Settings(1, 1, Timeout, Timeout), 1, "linear:2:8,tanh,linear:8:2");
        const string reason = "model 'linear:2:8,tanh,linear:8:2' differs from the run's 'linear:2:4,tanh,linear:4:2'";

        var coordinatorSide = await Logged("Refused worker {Worker} from {Node}: {Reason}", "w1");
        var workerSide = await Logged("Worker {Worker} stops: {Reason}", "w1");

        Assert.Contains(reason, coordinatorSide.RenderMessage());
        Assert.Equal(LogEventLevel.Error, workerSide.Level);
        Assert.Contains($"refused by the coordinator: {reason}", workerSide.RenderMessage());
        await _workers!.Systems[0].WhenTerminated.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_worker_node_whose_dataset_differs_withdraws_and_both_sides_log_why()
    {
        var settings = _training.Settings(1, 1, Timeout, Timeout);
        Start(settings with { Job = settings.Job with { Data = settings.Job.Data with { Count = 5 } } }, 1);

        var coordinatorSide = await Logged("Worker {Worker} withdrew: {Reason}", "w1");
        var workerSide = await Logged("Worker {Worker} stops: {Reason}", "w1");

        Assert.Contains("this worker's dataset xor (4 samples", coordinatorSide.RenderMessage());
        Assert.Contains("is not the coordinator's xor (5 samples", coordinatorSide.RenderMessage());
        Assert.Contains("could not prepare: this worker's dataset xor (4 samples", workerSide.RenderMessage());
        await _workers!.Systems[0].WhenTerminated.WaitAsync(Timeout);
    }
}
