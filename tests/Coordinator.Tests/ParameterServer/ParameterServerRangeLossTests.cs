using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Tests.Actors;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>A parameter server whose key ranges' servers cannot be reached: the run ends, whenever the coordinator first speaks to it.</summary>
public sealed class ParameterServerRangeLossTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly XorTraining _training = new();
    private readonly CollectingSink _sink;

    public ParameterServerRangeLossTests() : this(new CollectingSink())
    {
    }

    private ParameterServerRangeLossTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger())) => _sink = sink;

    protected override void AfterAll()
    {
        base.AfterAll();
        _training.Dispose();
    }

    [Fact]
    public void Ranges_whose_servers_cannot_be_reached_end_the_run_with_the_reason_once_the_coordinator_speaks_to_it()
    {
        int closed = ClosedPort();
        var server = _training.StartParameterServer(Sys, _sink.CreateLogger(), new ParameterServerSettings(null)
        {
            Shards = 2,
            RangeStreams = true,
            ConnectTimeout = TimeSpan.FromSeconds(1),
            RangeHosts = [new RangeEndpoint(0, "127.0.0.1", closed, "token 0"), new RangeEndpoint(1, "127.0.0.1", closed, "token 1")],
        });
        AwaitCondition(() => _sink.Events.Any(e => e.RenderMessage().Contains("server was lost")), TimeSpan.FromSeconds(30));

        server.Tell(new AdmitWorker("w1", "t"), TestActor);

        var failed = ExpectMsg<RangeFailed>();
        // Both ranges are lost; whichever the parameter server heard of first ends the run.
        Assert.Matches($"^key range [01]'s server was lost \\(could not connect to its server at 127\\.0\\.0\\.1:{closed}: ", failed.Reason);
        server.Tell(new SaveCheckpoint("never.safetensors"), TestActor);
        Assert.Equal(failed.Reason, ExpectMsg<CheckpointSaved>().Error);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
