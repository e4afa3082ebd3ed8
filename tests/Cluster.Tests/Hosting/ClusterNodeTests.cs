using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using Serilog.Core;
using Xunit;
using Xunit.Abstractions;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>A coordinator and a worker node in one process, joined through the coordinator as seed.</summary>
public sealed class ClusterNodeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string Seed = $"akka.tcp://disttrainer@127.0.0.1:{Ports.Free()}";

    // Terminating without coordinated shutdown skips leaving the cluster: to the others the node just stops answering, as after kill -9.
    private static readonly Config Crashable = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off");

    private readonly ITestOutputHelper _output;

    public ClusterNodeTests(ITestOutputHelper output)
        : base(ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: new Uri(Seed).Port, SeedNodes: [Seed],
            Roles: [ClusterRoles.Coordinator]), Logger.None), output: output) =>
        _output = output;


    [Fact]
    public async Task A_worker_joins_with_its_role_and_is_removed_about_ten_seconds_after_it_crashes()
    {
        var coordinator = Akka.Cluster.Cluster.Get(Sys);
        var worker = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [Seed],
            Roles: [ClusterRoles.Worker]), Logger.None, Crashable);
        var workerAddress = Akka.Cluster.Cluster.Get(worker).SelfAddress;

        await AwaitConditionAsync(() => Task.FromResult(coordinator.State.Members.Count(m => m.Status == MemberStatus.Up) == 2), TimeSpan.FromSeconds(15));
        var roles = coordinator.State.Members.ToDictionary(m => m.Address, m => m.Roles);
        Assert.Contains(ClusterRoles.Coordinator, roles[coordinator.SelfAddress]);
        Assert.Contains(ClusterRoles.Worker, roles[workerAddress]);
        Assert.DoesNotContain(ClusterRoles.Coordinator, roles[workerAddress]);

        var events = CreateTestProbe();
        coordinator.Subscribe(events.Ref, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        var clock = Stopwatch.StartNew();
        await worker.Terminate();

        await events.FishForMessageAsync(e => e is ClusterEvent.MemberRemoved removed && removed.Member.Address == workerAddress, TimeSpan.FromSeconds(20));
        _output.WriteLine($"crashed worker removed after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(20));
    }
}
