using Akka.Actor;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Roster;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Roster;

/// <summary>The roster as plain state: workers on two made-up nodes, no actor system.</summary>
public sealed class WorkerRosterTests
{
    private const string Layers = "linear:2:4,tanh,linear:4:2";
    private static readonly Address NodeA = new("akka.tcp", "cluster", "10.0.0.1", 4053);
    private static readonly Address NodeB = new("akka.tcp", "cluster", "10.0.0.2", 4053);

    private readonly CollectingSink _sink = new();
    private readonly WorkerRoster _roster;

    public WorkerRosterTests() => _roster = new WorkerRoster(Layers, _sink.CreateLogger());

    /// <summary>A worker actor on another node, as the coordinator sees one: only its path matters here.</summary>
    private sealed class RemoteWorker(Address node, string id) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(node) / "user" / id;
        public override IActorRefProvider Provider => throw new NotSupportedException();
    }

    private static RegisterWorker Registration(string id, int version = ProtocolVersion.Current, string? layers = null) =>
        new(id, version, layers, "node", "cpu");

    private string? Register(string id, Address node) => _roster.Register(Registration(id), new RemoteWorker(node, id));

    private void Enlist(string id, Address node)
    {
        Assert.Null(Register(id, node));
        Assert.True(_roster.Connect(id));
    }

    private IEnumerable<string> ReadyIds => _roster.Ready().Select(w => w.Id);

    [Fact]
    public void A_registration_repeated_by_the_same_actor_keeps_its_token_until_its_stream_is_lost_and_any_other_gets_a_new_one()
    {
        var worker = new RemoteWorker(NodeA, "w1");
        Assert.Null(_roster.Register(Registration("w1"), worker));
        string first = _roster.StreamTokenOf("w1");

        Assert.Null(_roster.Register(Registration("w1"), worker));
        Assert.Equal(first, _roster.StreamTokenOf("w1"));
        Assert.Equal(32, first.Length);

        // Once its stream is up, the same actor's registration is one that crossed the acceptance: nothing changes.
        Assert.True(_roster.Connect("w1"));
        Assert.Null(_roster.Register(Registration("w1"), worker));
        Assert.Equal(first, _roster.StreamTokenOf("w1"));
        Assert.Equal(["w1"], ReadyIds);

        // Its stream lost, it registers for a new one.
        Assert.True(_roster.Lose("w1", "data plane closed", forget: false));
        Assert.Null(_roster.Register(Registration("w1"), worker));
        string afterReconnect = _roster.StreamTokenOf("w1");
        Assert.NotEqual(first, afterReconnect);
        Assert.Empty(ReadyIds);

        Assert.Null(_roster.Register(Registration("w1"), new RemoteWorker(NodeB, "w1")));
        Assert.NotEqual(afterReconnect, _roster.StreamTokenOf("w1"));
    }

    [Fact]
    public void A_worker_of_another_protocol_version_is_refused_with_both_versions()
    {
        var refusal = _roster.Register(Registration("w1", ProtocolVersion.Current + 1), ActorRefs.Nobody);

        Assert.Equal($"protocol version {ProtocolVersion.Current + 1}; the coordinator speaks {ProtocolVersion.Current}", refusal);
        Assert.False(_roster.Connect("w1"));
        var logged = Assert.Single(_sink.Events);
        Assert.Equal((LogEventLevel.Warning, $"Refused worker \"w1\" from \"node\": \"{refusal}\""), (logged.Level, logged.RenderMessage()));
    }

    [Fact]
    public void A_worker_whose_id_reads_as_a_key_range_stream_is_refused()
    {
        Assert.Equal("worker id 'w1/range/0' reads as a key range's stream; choose an id without '/range/'",
            _roster.Register(Registration("w1/range/0"), ActorRefs.Nobody));
        Assert.False(_roster.Connect("w1/range/0"));
    }

    [Fact]
    public void A_worker_that_expects_another_model_is_refused_and_one_that_expects_none_is_not()
    {
        Assert.Equal($"model 'linear:2:8,tanh,linear:8:2' differs from the run's '{Layers}'",
            _roster.Register(Registration("w1", layers: "linear:2:8,tanh,linear:8:2"), ActorRefs.Nobody));
        Assert.Null(_roster.Register(Registration("w2", layers: Layers), ActorRefs.Nobody));
        Assert.Null(_roster.Register(Registration("w3"), ActorRefs.Nobody));
    }

    [Fact]
    public void A_registered_worker_is_ready_once_its_data_plane_connects()
    {
        Assert.Null(Register("w1", NodeA));
        Assert.Empty(ReadyIds);

        Assert.True(_roster.Connect("w1"));

        Assert.Equal(["w1"], ReadyIds);
        Assert.False(_roster.Connect("w9"));
    }

    [Fact]
    public void Ready_workers_come_in_ordinal_id_order()
    {
        foreach (var id in new[] { "w2", "w10", "W1" }) Enlist(id, NodeA);

        Assert.Equal(["W1", "w10", "w2"], ReadyIds);
    }

    [Fact]
    public void A_ready_worker_lost_is_counted_and_one_that_was_not_ready_is_not()
    {
        Enlist("w1", NodeA);
        Assert.Null(Register("w2", NodeB));

        Assert.True(_roster.Lose("w1", "data plane closed", forget: false));
        Assert.True(_roster.Lose("w2", "data plane closed", forget: false));
        Assert.False(_roster.Lose("w3", "data plane closed", forget: false));

        Assert.Equal(["w1"], _roster.Lost);
        Assert.Empty(ReadyIds);
        Assert.Contains(_sink.Events, e => e.RenderMessage() == "Lost worker \"w1\": \"data plane closed\"");
    }

    [Fact]
    public void An_unreachable_worker_is_ready_again_when_its_node_is_reachable_but_a_forgotten_one_must_register_again()
    {
        Enlist("w1", NodeA);
        Enlist("w2", NodeB);
        Enlist("w3", NodeB);
        Assert.Equal(["w2", "w3"], _roster.WorkersOn(NodeB));

        foreach (var id in _roster.WorkersOn(NodeB)) _roster.Lose(id, "its node is unreachable", forget: false);
        _roster.Lose("w1", "its node left the cluster", forget: true);
        Assert.Empty(ReadyIds);

        _roster.Reachable(NodeB);
        _roster.Reachable(NodeA);

        Assert.Equal(["w2", "w3"], ReadyIds);
        Assert.Empty(_roster.WorkersOn(NodeA));
        Assert.False(_roster.Connect("w1"));
        Assert.Equal(["w2", "w3", "w1"], _roster.Lost);
    }

    [Fact]
    public void Throughput_is_1_until_measured_then_the_first_measure_then_smoothed_80_20()
    {
        Enlist("w1", NodeA);
        var worker = _roster.Ready()[0];
        Assert.Equal(1.0, worker.Throughput);

        _roster.ShardComputed("w1", 100, 0);
        Assert.Equal(1.0, worker.Throughput);
        _roster.ShardComputed("w1", 100, 1.0);
        Assert.Equal(100.0, worker.Throughput);
        _roster.ShardComputed("w1", 400, 2.0);
        Assert.Equal(120.0, worker.Throughput, 9);
    }

    [Fact]
    public void Applied_shards_are_counted_per_worker_also_for_a_worker_since_forgotten_and_arrivals_alone_count_nothing()
    {
        Enlist("w1", NodeA);
        _roster.ShardsApplied(["w1", "w1"]);
        _roster.Lose("w1", "withdrew", forget: true);
        _roster.ShardsApplied(["w1", "w2"]);
        _roster.ShardComputed("w2", 4, 0.1);

        Assert.Equal("w1: 3, w2: 1", string.Join(", ", _roster.ShardsPerWorker.OrderBy(w => w.Key).Select(w => $"{w.Key}: {w.Value}")));
    }

    [Fact]
    public void A_worker_that_registers_again_is_kept_with_its_new_actor_and_is_not_ready_until_it_reconnects()
    {
        Enlist("w1", NodeA);
        _roster.ShardComputed("w1", 50, 1.0);

        Assert.Null(Register("w1", NodeB));

        Assert.Empty(ReadyIds);
        Assert.True(_roster.Connect("w1"));
        var worker = Assert.Single(_roster.Ready());
        Assert.Equal((NodeB, 50.0), (worker.Ref.Path.Address, worker.Throughput));
        Assert.Single(_sink.Events, e => e.MessageTemplate.Text.StartsWith("Registered worker"));
    }

    [Fact]
    public void A_worker_with_three_rejected_results_within_the_window_is_quarantined_once_and_not_lost()
    {
        var roster = new WorkerRoster(Layers, _sink.CreateLogger(), new QuarantinePolicy(3, 50));
        Assert.Null(roster.Register(Registration("w1"), new RemoteWorker(NodeA, "w1")));
        Assert.Null(roster.Register(Registration("w2"), new RemoteWorker(NodeB, "w2")));
        roster.Connect("w1");
        roster.Connect("w2");

        Assert.False(roster.Rejected("w2", 0));
        Assert.False(roster.Rejected("w2", 60));
        Assert.False(roster.Rejected("w2", 70));
        Assert.True(roster.Rejected("w2", 100));
        Assert.False(roster.Rejected("w2", 101));

        Assert.Equal(["w1"], roster.Ready().Select(w => w.Id));
        Assert.Equal(["w2"], roster.Quarantined);
        var warning = Assert.Single(_sink.Events, e => e.MessageTemplate.Text.StartsWith("Quarantined worker"));
        Assert.Equal(LogEventLevel.Warning, warning.Level);
        Assert.Contains("w2", warning.RenderMessage());
        Assert.Contains(NodeB.ToString(), warning.RenderMessage());
        Assert.True(roster.Lose("w2", "its node left the cluster", forget: true));
        Assert.Empty(roster.Lost);
    }

    [Fact]
    public void A_quarantined_worker_that_registers_again_gets_no_shards_and_without_a_policy_no_one_is_quarantined()
    {
        var roster = new WorkerRoster(Layers, _sink.CreateLogger(), new QuarantinePolicy(1, 10));
        Assert.Null(roster.Register(Registration("w1"), new RemoteWorker(NodeA, "w1")));
        Assert.True(roster.Rejected("w1", 4));
        Assert.Null(roster.Register(Registration("w1"), new RemoteWorker(NodeA, "w1")));
        roster.Connect("w1");

        Assert.Empty(roster.Ready());
        Enlist("w1", NodeA);
        for (int step = 0; step < 10; step++) Assert.False(_roster.Rejected("w1", step));
        Assert.Equal(["w1"], ReadyIds);
    }
}
