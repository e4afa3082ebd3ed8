using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Hosting;
using Serilog.Core;
using Xunit;
using Xunit.Abstractions;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>
/// Two nodes of one cluster in one process while many pieces of work block their threads for longer than the failure
/// detector lets a node be silent. Run as <see cref="BlockingWork"/>, they leave the thread pool free and neither node
/// is marked unreachable. Queued on the pool instead, they starve it: the sockets' completions that carry the
/// heartbeats run on pool threads, so both nodes see each other go silent, whatever dispatcher the cluster's actors use.
/// </summary>
[Collection(StarvedPoolCollection.Name)]
public sealed class BlockingWorkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(20);
    private readonly List<ActorSystem> _systems = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Task.WhenAll(_systems.Select(system => system.Terminate()));

    [Fact]
    public async Task Blocking_work_runs_on_threads_of_its_own()
    {
        var onPool = await BlockingWork.Run(() => Thread.CurrentThread.IsThreadPoolThread);

        Assert.False(onPool);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Work_that_blocks_keeps_the_heartbeats_going_only_off_the_thread_pool(bool asBlockingWork)
    {
        int port = Ports.Free();
        string seed = $"akka.tcp://disttrainer@127.0.0.1:{port}";
        var nodes = new[]
        {
            Start(new ClusterNodeOptions("127.0.0.1", port, SeedNodes: [seed], Roles: [ClusterRoles.Coordinator])),
            Start(new ClusterNodeOptions("127.0.0.1", 0, SeedNodes: [seed], Roles: [ClusterRoles.Worker])),
        };
        Assert.True(await Poll.Eventually(() => nodes.All(n => n.State.Members.Count(m => m.Status == MemberStatus.Up) == 2), JoinWait));
        // A few heartbeats first: the failure detector judges a pause against the intervals it has seen.
        await Task.Delay(TimeSpan.FromSeconds(3));

        var unreachable = await BlockingWork.Run(() => BlockWhileWatching(nodes, asBlockingWork));

        foreach (var line in unreachable.Take(3)) output.WriteLine(line);
        if (asBlockingWork) Assert.Empty(unreachable);
        else Assert.NotEmpty(unreachable);
    }

    /// <summary>
    /// Blocks more threads than the pool adds during <see cref="Hold"/> (about two a second), watching both nodes' view of
    /// the cluster from this thread, not a pool thread, through the hold and two failure-detector bounds after it.
    /// </summary>
    private static List<string> BlockWhileWatching(Akka.Cluster.Cluster[] nodes, bool asBlockingWork)
    {
        using var release = new ManualResetEventSlim();
        var blocked = Enumerable.Range(0, Environment.ProcessorCount + 32)
            .Select(_ => asBlockingWork ? BlockingWork.Run(() => release.Wait(Timeout.Infinite)) : Task.Run(() => release.Wait(Timeout.Infinite))).ToArray();
        var clock = Stopwatch.StartNew();
        var unreachable = new List<string>();
        while (clock.Elapsed < Hold + TimeSpan.FromSeconds(4))
        {
            if (clock.Elapsed >= Hold) release.Set();
            foreach (var node in nodes)
                unreachable.AddRange(node.State.Unreachable.Select(m => $"{node.SelfAddress} saw {m.Address} unreachable at {clock.Elapsed.TotalSeconds:F1} s"));
            Thread.Sleep(50);
        }
        release.Set();
        Task.WaitAll(blocked, TimeSpan.FromSeconds(30));
        return unreachable;
    }

    private Akka.Cluster.Cluster Start(ClusterNodeOptions options)
    {
        var system = ClusterNode.Start(options, Logger.None);
        _systems.Add(system);
        return Akka.Cluster.Cluster.Get(system);
    }

}
