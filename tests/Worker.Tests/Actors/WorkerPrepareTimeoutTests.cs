using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.TestActors;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Worker.Actors;
using Xunit;

namespace DistTrainer.Worker.Tests.Actors;

/// <summary>
/// A worker whose session does not open, the test actor its coordinator and a port that refuses every connect its
/// parameter server: it gives up the preparation, withdraws saying why, and registers again instead of stopping, since a
/// coordinator that died meanwhile is replaced by a standby or a restart.
/// </summary>
public sealed class WorkerPrepareTimeoutTests : Akka.TestKit.Xunit2.TestKit
{
    // The connect's retries, 1 s and then 2 s apart, outlast the 1 s bound.
    private static readonly Config SlowerThanTheBound = ConfigurationFactory.ParseString("""
        disttrainer.worker.prepare-timeout = 1s
        disttrainer.worker.connect-retries = 2
        disttrainer.data-plane.first-retry-delay = 1s
        """);

    private static readonly Config NoRetry = ConfigurationFactory.ParseString("disttrainer.worker.connect-retries = 0");

    private readonly Dataset _xor = DatasetLoader.Load(DatasetLoader.Xor, null).Train;
    private readonly WorkerOutcome _outcome = new();
    private readonly int _refusingPort = RefusingPort();
    private readonly CollectingSink _sink;
    private ActorSystem? _node;

    public WorkerPrepareTimeoutTests() : this(new CollectingSink())
    {
    }

    private WorkerPrepareTimeoutTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger()))
    {
        _sink = sink;
        Sys.ActorOf(Props.Create(() => new ForwardActor(TestActor)), ActorNames.Coordinator);
    }

    protected override void AfterAll()
    {
        _node?.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    [Fact]
    public async Task A_session_not_open_within_the_prepare_timeout_is_given_up_naming_its_stage_and_the_worker_registers_again()
    {
        AcceptedWorker(SlowerThanTheBound);

        var withdrew = FishForMessage<WorkerWithdrew>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal("w1", withdrew.WorkerId);
        Assert.Equal($"could not prepare within 1 s: still connecting the data plane to the parameter server at 127.0.0.1:{_refusingPort}",
            withdrew.Reason);
        FishForMessage<RegisterWorker>(_ => true, TimeSpan.FromSeconds(5));

        // The given-up attempt fails about 3 s after it began (every connect refused): that neither stops the worker nor
        // withdraws it a second time.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var later = new List<object>();
        while (ReceiveOne(TimeSpan.Zero) is { } message) later.Add(message);
        Assert.DoesNotContain(later, m => m is WorkerWithdrew);
        Assert.False(_outcome.Ended.IsCompleted, "the worker stopped");
        Assert.False(_node!.WhenTerminated.IsCompleted, "the worker's node terminated");
    }

    [Fact]
    public void A_data_plane_that_cannot_be_reached_makes_the_worker_withdraw_and_register_again()
    {
        AcceptedWorker(NoRetry);

        var withdrew = FishForMessage<WorkerWithdrew>(_ => true, TimeSpan.FromSeconds(10));
        Assert.StartsWith($"data plane: could not connect to 127.0.0.1:{_refusingPort} in 1 attempts", withdrew.Reason);
        FishForMessage<RegisterWorker>(_ => true, TimeSpan.FromSeconds(5));
        Assert.False(_outcome.Ended.IsCompleted, "the worker stopped");
        Assert.Contains(_sink.Events, e => e.RenderMessage().Contains("could not prepare: data plane: could not connect") &&
                                          e.RenderMessage().EndsWith("; registering again"));
    }

    /// <summary>Starts the worker's node with <paramref name="bounds"/> and accepts its registration with a job whose parameter server refuses.</summary>
    private void AcceptedWorker(Config bounds)
    {
        _node = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [TestNodes.AddressOf(Sys).ToString()],
            Roles: [ClusterRoles.Worker]), _sink.CreateLogger(), bounds.WithFallback(TestNodes.Overrides));
        _node.ActorOf(WorkerActor.Props(new WorkerSettings("w1", null, null, "cpu", 1, TimeSpan.FromSeconds(30)), _sink.CreateLogger(), _outcome),
            WorkerActor.Name);
        FishForMessage<RegisterWorker>(_ => true, TimeSpan.FromSeconds(10));
        LastSender.Tell(new WorkerAccepted("w1", new TrainingJob("linear:2:2", "cross-entropy", DatasetLoader.Xor, null, DatasetFingerprint.Of(_xor),
            3, false, _xor.Count, "127.0.0.1", _refusingPort, 5), "token"), TestActor);
    }

    private static int RefusingPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
