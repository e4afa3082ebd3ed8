using Akka.Actor;
using Akka.TestKit;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>
/// A worker node whose worker is a test probe: it registers with the coordinator over real remoting,
/// connects its data plane by hand, and answers (or not) exactly the assignments a test chooses.
/// </summary>
internal sealed class FakeWorker : IDisposable
{
    private readonly ActorSystem _coordinatorNode;

    private FakeWorker(string id, ActorSystem node, TestProbe probe, ActorSystem coordinatorNode)
    {
        _coordinatorNode = coordinatorNode;
        Id = id;
        Node = node;
        Probe = probe;
    }

    public string Id { get; }
    public ActorSystem Node { get; }
    public TestProbe Probe { get; }
    public WorkerStream? Stream { get; private set; }

    /// <summary>Starts a worker node that joins the coordinator's cluster and waits until it is Up, there and in the coordinator's view.</summary>
    public static async Task<FakeWorker> JoinAsync(Akka.TestKit.Xunit2.TestKit kit, string id)
    {
        var node = TestNodes.Worker(Serilog.Core.Logger.None, TestNodes.AddressOf(kit.Sys));
        await TestNodes.UpAsSeenByAsync(node, kit.Sys);
        return new FakeWorker(id, node, kit.CreateTestProbe(node, id), kit.Sys);
    }

    /// <summary>
    /// Starts a worker node that is in no cluster (as a worker's old node is to a coordinator restarted at the same address);
    /// <see cref="JoinClusterAsync"/> joins it later.
    /// </summary>
    public static FakeWorker Outside(Akka.TestKit.Xunit2.TestKit kit, string id)
    {
        var node = TestNodes.Worker(Serilog.Core.Logger.None, seed: null);
        return new FakeWorker(id, node, kit.CreateTestProbe(node, id), kit.Sys);
    }

    /// <summary>Joins this node to the cluster of <paramref name="seed"/> and waits until it is Up, there and in the coordinator's view.</summary>
    public Task JoinClusterAsync(Address seed)
    {
        Akka.Cluster.Cluster.Get(Node).Join(seed);
        return TestNodes.UpAsSeenByAsync(Node, _coordinatorNode);
    }

    /// <summary>Sends RegisterWorker from the probe to the coordinator actor of <paramref name="coordinatorNode"/>.</summary>
    public void Register(Address coordinatorNode, int protocolVersion = ProtocolVersion.Current, string? expectedLayers = null) =>
        Node.ActorSelection(new RootActorPath(coordinatorNode) / "user" / ActorNames.Coordinator)
            .Tell(new RegisterWorker(Id, protocolVersion, expectedLayers, TestNodes.AddressOf(Node).ToString(), "cpu"), Probe.Ref);

    /// <summary>Registers, is accepted, and connects the data plane; returns the weights the parameter server sent on connecting.</summary>
    public ReceivedFrame Enlist(Address coordinatorNode, TensorListener parameterServer)
    {
        Register(coordinatorNode);
        // The first message from a node that just joined waits for its association to the coordinator node: under a loaded
        // machine (the whole suite in parallel) that takes more than TestKit's default 3 s.
        var accepted = Probe.ExpectMsg<WorkerAccepted>(TimeSpan.FromSeconds(10));
        Assert.Equal(Id, accepted.WorkerId);
        Stream = new WorkerStream(parameterServer, Id, accepted.StreamToken);
        return Stream.NextWeights();
    }

    public ComputeShard NextShard() => Probe.ExpectMsg<ComputeShard>(TimeSpan.FromSeconds(10));

    public void Dispose()
    {
        Stream?.Dispose();
        Node.Terminate().Wait(TimeSpan.FromSeconds(10));
    }
}
