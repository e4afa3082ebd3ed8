using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Security;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Security;

/// <summary>
/// Actor systems in one process on loopback, the seed over mutual TLS: a node of the same CA joins; a node with
/// another CA's certificate, and a node that speaks no TLS at all, stay outside however long they try.
/// </summary>
public sealed class RemotingTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RefusalWait = TimeSpan.FromSeconds(6);

    private readonly TestCertificates _cluster = new();
    private readonly List<ActorSystem> _systems = new();
    private readonly CollectingSink _seedLog = new();
    private ActorSystem _seed = null!;
    private string _seedAddress = null!;

    public Task InitializeAsync()
    {
        int port = Ports.Free();
        _seedAddress = $"akka.tcp://disttrainer@127.0.0.1:{port}";
        _seed = Start(new ClusterNodeOptions("127.0.0.1", port, SeedNodes: [_seedAddress], Roles: [ClusterRoles.Coordinator],
            Tls: _cluster.Node("coordinator")), _seedLog.CreateLogger());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Task.WhenAll(_systems.Select(system => system.Terminate()));

    [Fact]
    public async Task A_node_with_a_certificate_of_the_cluster_CA_joins_over_TLS()
    {
        var worker = Start(new ClusterNodeOptions("127.0.0.1", 0, SeedNodes: [_seedAddress], Roles: [ClusterRoles.Worker],
            Tls: _cluster.Node("worker-1")), Logger.None);

        Assert.Equal("akka.ssl.tcp", Akka.Cluster.Cluster.Get(_seed).SelfAddress.Protocol);
        Assert.True(await Poll.Eventually(() => UpMembers(_seed) == 2 && UpMembers(worker) == 2, JoinWait));
    }

    [Fact]
    public async Task A_node_with_a_certificate_of_another_CA_is_refused_at_the_handshake()
    {
        var intruder = Start(new ClusterNodeOptions("127.0.0.1", 0, SeedNodes: [_seedAddress], Roles: [ClusterRoles.Worker],
            Tls: new TestCertificates("other CA").Node("intruder")), Logger.None);

        // The refusal is awaited, not looked for after a fixed wait: on a loaded machine (every test assembly starting at
        // once) the intruder's first attempt can come later than the wait.
        await _seedLog.WaitForAsync(e => e.RenderMessage().Contains("refused TLS peer") && e.RenderMessage().Contains("CN=other CA"), JoinWait);
        Assert.False(await Poll.Eventually(() => UpMembers(_seed) > 1, RefusalWait));
        Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(intruder).SelfMember.Status);
    }

    [Fact]
    public async Task A_node_without_TLS_is_refused_by_a_TLS_cluster()
    {
        var plain = Start(new ClusterNodeOptions("127.0.0.1", 0, SeedNodes: [_seedAddress], Roles: [ClusterRoles.Worker]), Logger.None);

        Assert.False(await Poll.Eventually(() => UpMembers(_seed) > 1, RefusalWait));
        Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(plain).SelfMember.Status);
    }

    [Fact]
    public void A_node_bound_off_loopback_without_TLS_refuses_to_start_unless_insecure()
    {
        var e = Assert.Throws<Core.InvalidInputException>(() => ClusterNode.Start(new ClusterNodeOptions("0.0.0.0", 0), Logger.None));
        Assert.StartsWith("--hostname: '0.0.0.0' is not a loopback address, and off loopback a node runs only with TLS", e.Message);

        var log = new CollectingSink();
        Start(new ClusterNodeOptions("0.0.0.0", 0, Insecure: true), log.CreateLogger());
        Assert.Equal(TransportSecurity.InsecureWarning("0.0.0.0"), log.Events.First().RenderMessage());
    }

    private ActorSystem Start(ClusterNodeOptions options, Serilog.ILogger log)
    {
        var system = ClusterNode.Start(options, log);
        _systems.Add(system);
        return system;
    }

    private static int UpMembers(ActorSystem system) => Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);

}
