using Akka.Actor;
using Akka.Event;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using Serilog.Events;
using Xunit;
using LogEvent = Serilog.Events.LogEvent;

namespace DistTrainer.Cluster.Tests.Logging;

public sealed class SerilogLoggerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly CollectingSink _sink;

    public SerilogLoggerActorTests() : this(new CollectingSink())
    {
    }

    private SerilogLoggerActorTests(CollectingSink sink)
        : base(ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, Roles: [ClusterRoles.Worker, "gpu"]), sink.CreateLogger())) =>
        _sink = sink;

    private Task<LogEvent> Written(string text) => _sink.WaitForAsync(e => e.RenderMessage() == text, TimeSpan.FromSeconds(5));

    private static object? Scalar(LogEvent logEvent, string property) => ((ScalarValue)logEvent.Properties[property]).Value;

    /// <summary>Makes this node the one member of a cluster of its own, as the logger sees it.</summary>
    private async Task<Akka.Cluster.Cluster> JoinedAsync()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The logger reads the membership the cluster publishes to its readers, which can lag the member-up callback.
        Assert.True(await Poll.Eventually(() => cluster.State.Members.Any(m => m.Address == cluster.SelfAddress), TimeSpan.FromSeconds(10)));
        return cluster;
    }

    [Fact]
    public async Task Akka_events_reach_serilog_with_node_role_source_and_template_properties()
    {
        var log = Akka.Event.Logging.GetLogger(Sys, "step-runner");
        var node = ((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString();

        log.Info("step {Step} took {Seconds} s", 3, 1.5);

        var info = await Written("step 3 took 1.5 s");
        Assert.Equal(LogEventLevel.Information, info.Level);
        Assert.Equal(node, Scalar(info, "Node"));
        Assert.StartsWith("akka.tcp://disttrainer@127.0.0.1:", node);
        Assert.Equal("worker,gpu", Scalar(info, "Role"));
        // Akka names a string log source together with its system.
        Assert.Equal("step-runner (akka://disttrainer)", Scalar(info, "SourceContext"));
        Assert.Equal(3, Scalar(info, "Step"));
        Assert.Equal(1.5, Scalar(info, "Seconds"));
    }

    [Fact]
    public async Task Errors_keep_their_exception_and_debug_stays_below_the_configured_level()
    {
        var log = Akka.Event.Logging.GetLogger(Sys, "step-runner");

        log.Debug("not at INFO");
        log.Warning("slow worker {0}", "w-2");
        log.Error(new InvalidOperationException("boom"), "step {Step} failed", 4);

        Assert.Equal(LogEventLevel.Warning, (await Written("slow worker \"w-2\"")).Level);
        var error = await Written("step 4 failed");
        Assert.Equal(LogEventLevel.Error, error.Level);
        Assert.Equal("boom", Assert.IsType<InvalidOperationException>(error.Exception).Message);
        Assert.DoesNotContain(_sink.Events, e => e.MessageTemplate.Text == "not at INFO");
    }

    private const string AssociationFailed = "Association with remote system {0} has failed; address is now gated for {1} ms. Reason is: [{2}]";

    [Fact]
    public async Task The_end_of_a_connection_to_a_node_that_is_not_a_member_is_written_at_debug()
    {
        var log = Akka.Event.Logging.GetLogger(Sys, "endpoint");

        log.Warning(AssociationFailed, "akka.tcp://disttrainer@127.0.0.1:1", 5000, "Disassociated");

        var written = await Written("Association with remote system \"akka.tcp://disttrainer@127.0.0.1:1\" has failed; address is now gated for 5000 ms. Reason is: [\"Disassociated\"]");
        Assert.Equal(LogEventLevel.Debug, written.Level);
    }

    [Fact]
    public async Task The_end_of_a_connection_to_a_node_that_is_still_a_member_stays_a_warning()
    {
        var cluster = await JoinedAsync();
        var log = Akka.Event.Logging.GetLogger(Sys, "endpoint");

        log.Warning(AssociationFailed, cluster.SelfAddress.ToString(), 5000, "Disassociated");

        var written = await Written($"Association with remote system \"{cluster.SelfAddress}\" has failed; address is now gated for 5000 ms. Reason is: [\"Disassociated\"]");
        Assert.Equal(LogEventLevel.Warning, written.Level);
    }

    [Fact]
    public async Task A_node_that_has_not_joined_yet_waits_for_its_seed_at_debug_and_once_joined_the_same_words_are_a_warning()
    {
        var log = Akka.Event.Logging.GetLogger(Sys, "cluster");
        log.Warning("Couldn't join seed nodes after [{0}] attempts, will try again. seed-nodes=[{1}]", 2, "akka.tcp://disttrainer@127.0.0.1:1");
        Assert.Equal(LogEventLevel.Debug, (await Written("Couldn't join seed nodes after [2] attempts, will try again. seed-nodes=[\"akka.tcp://disttrainer@127.0.0.1:1\"]")).Level);

        await JoinedAsync();
        log.Warning("Couldn't join seed nodes after [{0}] attempts, will try again. seed-nodes=[{1}]", 3, "akka.tcp://disttrainer@127.0.0.1:1");
        Assert.Equal(LogEventLevel.Warning, (await Written("Couldn't join seed nodes after [3] attempts, will try again. seed-nodes=[\"akka.tcp://disttrainer@127.0.0.1:1\"]")).Level);
    }

    private const string Refused = "Tried to associate with unreachable remote address [{0}]. Address is now gated for {1} ms, all messages to this address will be delivered to dead letters. Reason: [{2}] {3}";

    private static string RefusedText(string peer, int attempt) =>
        $"Tried to associate with unreachable remote address [\"{peer}\"]. Address is now gated for 1000 ms, all messages to this address will be delivered to dead letters. Reason: [\"refused {attempt}\"] \"\"";

    [Fact]
    public async Task A_member_refused_again_is_a_warning_once_and_a_peer_outside_the_cluster_each_time()
    {
        var cluster = await JoinedAsync();
        var log = Akka.Event.Logging.GetLogger(Sys, "endpointManager");
        string member = cluster.SelfAddress.ToString();
        const string stranger = "akka.tcp://disttrainer@127.0.0.1:1";

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            log.Warning(Refused, member, 1000, $"refused {attempt}", "");
            log.Warning(Refused, stranger, 1000, $"refused {attempt}", "");
        }

        Assert.Equal(LogEventLevel.Warning, (await Written(RefusedText(member, 1))).Level);
        Assert.Equal(LogEventLevel.Debug, (await Written(RefusedText(member, 2))).Level);
        Assert.Equal(LogEventLevel.Debug, (await Written(RefusedText(member, 3))).Level);
        for (int attempt = 1; attempt <= 3; attempt++)
            Assert.Equal(LogEventLevel.Warning, (await Written(RefusedText(stranger, attempt))).Level);
    }

    [Fact]
    public async Task A_closed_channel_missing_from_the_transports_set_is_written_at_debug_and_a_failed_add_stays_a_warning()
    {
        var log = Akka.Event.Logging.GetLogger(Sys, "tcp-server");

        log.Warning("Unable to REMOVE channel [{0}->{1}](Id={2}) from connection group. May not shut down cleanly.", "[::1]:1", "[::1]:2", "c1");
        log.Warning("Unable to ADD channel [{0}->{1}](Id={2}) to connection group. May not shut down cleanly.", "[::1]:1", "[::1]:2", "c2");

        Assert.Equal(LogEventLevel.Debug, (await Written("Unable to REMOVE channel [\"[::1]:1\"->\"[::1]:2\"](Id=\"c1\") from connection group. May not shut down cleanly.")).Level);
        Assert.Equal(LogEventLevel.Warning, (await Written("Unable to ADD channel [\"[::1]:1\"->\"[::1]:2\"](Id=\"c2\") to connection group. May not shut down cleanly.")).Level);
    }

    [Fact]
    public async Task An_incomplete_flush_of_a_node_that_is_not_leaving_stays_a_warning()
    {
        var log = Akka.Event.Logging.GetLogger(Sys, "remoting");

        log.Warning(RoutineRemotingEventsTests.FlushWarning);

        Assert.Equal(LogEventLevel.Warning, (await Written(RoutineRemotingEventsTests.FlushWarning)).Level);
    }
}
