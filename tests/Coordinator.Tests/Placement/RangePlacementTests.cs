using Akka.Actor;
using DistTrainer.Coordinator.Placement;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Placement;

public sealed class RangePlacementTests
{
    private static Address Node(string host, int port = 2552) => new("akka.tcp", "disttrainer", host, port);

    [Fact]
    public void Ranges_go_to_the_first_workers_on_distinct_nodes_with_a_host_and_every_acceptance_waits_for_them()
    {
        var placement = new RangePlacement(2);

        Assert.False(placement.Hold("w1", ActorRefs.Nobody, "t1", Node("10.0.0.1"), hostPort: 0));
        Assert.False(placement.Hold("w2", ActorRefs.Nobody, "t2", Node("10.0.0.2"), hostPort: 4100));
        Assert.False(placement.Hold("w3", ActorRefs.Nobody, "t3", Node("10.0.0.2"), hostPort: 4101));
        Assert.False(placement.Hold("w2", ActorRefs.Nobody, "t2", Node("10.0.0.2"), hostPort: 4100));
        Assert.Null(placement.Servers);
        Assert.True(placement.Hold("w4", ActorRefs.Nobody, "t4", Node("10.0.0.4"), hostPort: 4200));

        var servers = placement.Servers!;
        Assert.Equal([(0, "10.0.0.2", 4100), (1, "10.0.0.4", 4200)], servers.Select(s => (s.Range, s.Host, s.Port)));
        Assert.Equal(2, servers.Select(s => s.MasterToken).Distinct().Count());
        Assert.Equal(["w1", "w2", "w3", "w4"], placement.Release().Select(held => held.Worker).Order());
        Assert.Empty(placement.Release());
        Assert.Equal((0, servers[0].MasterToken), Assert.Single(placement.HostedBy("w2")!) is var two ? (two.Range, two.MasterToken) : default);
        Assert.Equal(1, Assert.Single(placement.HostedBy("w4")!).Range);
        Assert.Null(placement.HostedBy("w3"));
    }

    [Fact]
    public void Five_ranges_on_two_nodes_go_round_them_each_with_a_token_of_its_own()
    {
        var placement = new RangePlacement(5, onPsNodes: true, nodes: 2);

        Assert.False(placement.OfferHost("ps-1", ActorRefs.Nobody, Node("10.0.0.1"), 4100));
        Assert.True(placement.OfferHost("ps-2", ActorRefs.Nobody, Node("10.0.0.2"), 4200));

        var servers = placement.Servers!;
        Assert.Equal([(0, 4100), (1, 4200), (2, 4100), (3, 4200), (4, 4100)], servers.Select(s => (s.Range, s.Port)));
        Assert.Equal(5, servers.Select(s => s.MasterToken).Distinct().Count());
        Assert.Equal([(0, servers[0].MasterToken), (2, servers[2].MasterToken), (4, servers[4].MasterToken)],
            placement.HostedBy("ps-1")!.Select(h => (h.Range, h.MasterToken)));
        Assert.Equal([1, 3], placement.HostedBy("ps-2")!.Select(h => h.Range));
        Assert.Equal([Node("10.0.0.1").ToString(), Node("10.0.0.2").ToString(), Node("10.0.0.1").ToString()],
            new[] { 0, 1, 4 }.Select(placement.NodeOf));
    }

    [Fact]
    public void Placed_on_the_hosts_offered_when_fewer_come_every_range_goes_round_them_and_no_host_places_nothing()
    {
        var placement = new RangePlacement(3, nodes: 3);
        Assert.False(placement.Hold("w1", ActorRefs.Nobody, "t1", Node("10.0.0.1"), hostPort: 0));
        Assert.False(placement.PlaceOnOffered());
        Assert.False(placement.Hold("w2", ActorRefs.Nobody, "t2", Node("10.0.0.2"), hostPort: 4100));
        Assert.False(placement.Hold("w3", ActorRefs.Nobody, "t3", Node("10.0.0.3"), hostPort: 4200));

        Assert.True(placement.PlaceOnOffered());

        Assert.Equal([(0, 4100), (1, 4200), (2, 4100)], placement.Servers!.Select(s => (s.Range, s.Port)));
        Assert.Equal([0, 2], placement.HostedBy("w2")!.Select(h => h.Range));
        Assert.Equal([1], placement.HostedBy("w3")!.Select(h => h.Range));
        Assert.Equal([0, 2], placement.RangesOn(Node("10.0.0.2")));
        Assert.Equal(["w1", "w2", "w3"], placement.Release().Select(held => held.Worker).Order());
        Assert.Throws<InvalidOperationException>(() => placement.PlaceOnOffered());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Ranges_go_to_one_node_at_least_and_to_no_more_nodes_than_ranges(int nodes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RangePlacement(2, nodes: nodes));

    [Fact]
    public void A_worker_lost_before_the_placement_no_longer_offers_its_host_and_none_is_forgotten_after_it()
    {
        var placement = new RangePlacement(2);
        placement.Hold("w1", ActorRefs.Nobody, "t1", Node("10.0.0.1"), hostPort: 4100);

        placement.Forget("w1");
        Assert.False(placement.Hold("w2", ActorRefs.Nobody, "t2", Node("10.0.0.2"), hostPort: 4100));
        Assert.True(placement.Hold("w3", ActorRefs.Nobody, "t3", Node("10.0.0.3"), hostPort: 4100));
        placement.Forget("w2");

        Assert.Equal(["10.0.0.2", "10.0.0.3"], placement.Servers!.Select(s => s.Host));
        Assert.Equal(["w2", "w3"], placement.Release().Select(held => held.Worker).Order());
        Assert.Throws<InvalidOperationException>(() => placement.Hold("w4", ActorRefs.Nobody, "t4", Node("10.0.0.4"), hostPort: 4100));
    }

    [Fact]
    public void On_ps_nodes_only_their_hosts_take_ranges_and_workers_wait_for_them()
    {
        var placement = new RangePlacement(2, onPsNodes: true);

        Assert.False(placement.Hold("w1", ActorRefs.Nobody, "t1", Node("10.0.0.1"), hostPort: 4100));
        Assert.False(placement.OfferHost("ps-1", ActorRefs.Nobody, Node("10.0.0.5"), hostPort: 4500));
        Assert.False(placement.OfferHost("ps-1", ActorRefs.Nobody, Node("10.0.0.5"), hostPort: 4500));
        Assert.True(placement.OfferHost("ps-2", ActorRefs.Nobody, Node("10.0.0.6"), hostPort: 4600));

        Assert.Equal([(0, "10.0.0.5", 4500), (1, "10.0.0.6", 4600)], placement.Servers!.Select(s => (s.Range, s.Host, s.Port)));
        Assert.Equal(["ps-1", "ps-2", "w1"], placement.Release().Select(held => held.Worker).Order());
        Assert.Null(placement.HostedBy("w1"));
        Assert.Equal(1, Assert.Single(placement.HostedBy("ps-2")!).Range);
        Assert.Equal("akka.tcp://disttrainer@10.0.0.6:2552", placement.NodeOf(1));
        Assert.Throws<InvalidOperationException>(() => new RangePlacement(2).OfferHost("ps-1", ActorRefs.Nobody, Node("10.0.0.5"), 4500));
    }

    [Fact]
    public void A_ps_node_removed_before_the_placement_no_longer_offers_its_host()
    {
        var placement = new RangePlacement(2, onPsNodes: true);
        placement.OfferHost("ps-1", ActorRefs.Nobody, Node("10.0.0.5"), hostPort: 4500);

        placement.ForgetNode(Node("10.0.0.5"));

        Assert.False(placement.OfferHost("ps-2", ActorRefs.Nobody, Node("10.0.0.6"), hostPort: 4600));
        Assert.True(placement.OfferHost("ps-3", ActorRefs.Nobody, Node("10.0.0.7"), hostPort: 4700));
        Assert.Equal(["10.0.0.6", "10.0.0.7"], placement.Servers!.Select(s => s.Host));
    }
}
