using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Tests.DataPlane;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.KeyRanges;

/// <summary>A host of key ranges' bounds as a node's configuration carries them, and a host holding streams within them.</summary>
public sealed class KeyRangeBoundsTests : IDisposable
{
    private static Config NodeConfig => ClusterConfigBuilder.Build(new ClusterNodeOptions(), _ => null);

    private readonly ActorSystem _system = ActorSystem.Create("key-range-bounds");

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void A_node_ships_a_ten_second_hand_over_wait_bounded_waiting_streams_and_early_parts_and_a_five_millisecond_report_linger()
    {
        var expected = new KeyRangeBounds(HandOverWait: TimeSpan.FromSeconds(10), WaitingStreams: 128, UnadmittedStreams: 64, EarlyParts: 256,
            ReportLinger: TimeSpan.FromMilliseconds(5));

        Assert.Equal(expected, KeyRangeBounds.Create(NodeConfig));
        Assert.Equal(expected, KeyRangeBounds.Default);
    }

    [Theory]
    [InlineData("hand-over-wait = 0s", "disttrainer.key-ranges.hand-over-wait: '0s' is not a duration above zero")]
    [InlineData("waiting-streams = 0", "disttrainer.key-ranges.waiting-streams: '0' is not a count of one or more")]
    [InlineData("early-parts = many", "disttrainer.key-ranges.early-parts: 'many' is not a whole number of zero or more")]
    [InlineData("report-linger = 0s", "disttrainer.key-ranges.report-linger: '0s' is not a duration above zero")]
    public void An_unusable_bound_names_its_path_and_what_is_wrong(string setting, string message)
    {
        var config = ConfigurationFactory.ParseString($"disttrainer.key-ranges.{setting}").WithFallback(NodeConfig);

        Assert.Equal(message, Assert.Throws<ConfigurationException>(() => KeyRangeBounds.Create(config)).Message);
    }

    [Fact]
    public void A_host_holds_as_many_early_streams_as_configured_refuses_one_more_at_once_and_the_held_one_after_the_wait()
    {
        var bounds = KeyRangeBounds.Default with { HandOverWait = TimeSpan.FromSeconds(1), WaitingStreams = 1 };
        var (_, port) = RangeHosting.Start(_system, "127.0.0.1", new DataPlaneOptions(), Logger.None, bounds: bounds);
        ReceivingEnd Stream(string worker) =>
            new(TensorClient.Connect("127.0.0.1", port, KeyRangeStreams.PeerId(worker, 0), TimeSpan.FromSeconds(5), retries: 0, token: "t"));

        var waited = System.Diagnostics.Stopwatch.StartNew();
        ReceivingEnd first = Stream("w1"), second = Stream("w2");
        using var firstConnection = first.Connection;
        using var secondConnection = second.Connection;

        // Whichever came second is refused at once; the one held is refused once the wait is over.
        Assert.Equal(["key range 0 is not served here", "key range 0 is not served here, and 1 streams wait already"],
            new[] { first.NextFrame().Text(), second.NextFrame().Text() }.Order());
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }
}
