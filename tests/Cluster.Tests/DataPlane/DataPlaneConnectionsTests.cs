using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>Admission, replacement and traffic of the parameter server's streams, with streams that are plain objects.</summary>
public sealed class DataPlaneConnectionsTests
{
    private readonly DataPlaneConnections<FakeStream> _connections = new(s => s.Worker, s => new DataPlaneTraffic(s.Sent, s.Received));

    [Fact]
    public void A_stream_from_a_worker_that_was_not_admitted_is_not_kept()
    {
        _connections.Admit("w1", TokenOf("w1"));
        var stranger = new FakeStream("w2", 5, 7);

        Assert.Equal("worker 'w2' is not registered with the coordinator", Accept(stranger));
        Assert.Empty(_connections.Current);
        Assert.False(stranger.Disposed);
        Assert.Equal(new DataPlaneTraffic(0, 0), Total());
    }

    [Fact]
    public void A_second_stream_for_the_same_worker_disposes_the_first_and_replaces_it()
    {
        _connections.Admit("w1", TokenOf("w1"));
        var first = new FakeStream("w1", 0, 0);
        var second = new FakeStream("w1", 0, 0);

        Assert.Null(Accept(first));
        Assert.Null(Accept(second));

        Assert.True(first.Disposed);
        Assert.False(second.Disposed);
        Assert.Same(second, Assert.Single(_connections.Current));
    }

    [Fact]
    public void A_replaced_stream_that_closes_later_does_not_disconnect_its_worker()
    {
        _connections.Admit("w1", TokenOf("w1"));
        var first = new FakeStream("w1", 0, 0);
        var second = new FakeStream("w1", 0, 0);
        Accept(first);
        Accept(second);

        Assert.Null(_connections.Forget(first));
        Assert.Same(second, Assert.Single(_connections.Current));
        Assert.Equal("w1", _connections.Forget(second));
        Assert.Empty(_connections.Current);
        Assert.Null(_connections.Forget(second));
    }

    [Fact]
    public void Traffic_totals_count_closed_and_replaced_streams_as_they_were_when_they_closed()
    {
        _connections.Admit("w1", TokenOf("w1"));
        _connections.Admit("w2", TokenOf("w2"));
        var replaced = new FakeStream("w1", 100, 1_000);
        var current = new FakeStream("w1", 20, 200);
        var closed = new FakeStream("w2", 3, 30);
        Accept(replaced);
        Accept(closed);
        Accept(current);
        Assert.Equal("w2", _connections.Forget(closed));

        closed.Sent = replaced.Sent = 1_000_000;
        current.Received = 400;

        Assert.Equal(new DataPlaneTraffic(100 + 20 + 3, 1_000 + 400 + 30), Total());
        Assert.Equal([("w1", new DataPlaneTraffic(100 + 20, 1_000 + 400)), ("w2", new DataPlaneTraffic(3, 30))],
            _connections.TrafficByWorker().OrderBy(w => w.Worker));
    }

    [Fact]
    public void Disposing_closes_every_current_stream_and_no_other()
    {
        _connections.Admit("w1", TokenOf("w1"));
        _connections.Admit("w2", TokenOf("w2"));
        var w1 = new FakeStream("w1", 0, 0);
        var w2 = new FakeStream("w2", 0, 0);
        var gone = new FakeStream("w2", 0, 0);
        Accept(w1);
        Accept(gone);
        _connections.Forget(gone);
        Accept(w2);

        _connections.Dispose();

        Assert.Equal((true, true, false), (w1.Disposed, w2.Disposed, gone.Disposed));
    }

    [Fact]
    public void Dropping_a_worker_closes_its_stream_counts_its_traffic_and_withdraws_its_admission()
    {
        _connections.Admit("w1", TokenOf("w1"));
        var stream = new FakeStream("w1", 40, 400);
        Assert.Null(Accept(stream));

        Assert.True(_connections.Drop("w1"));

        Assert.True(stream.Disposed);
        Assert.Empty(_connections.Current);
        Assert.Equal(new DataPlaneTraffic(40, 400), Total());
        Assert.Null(_connections.Forget(stream));
        Assert.NotNull(Accept(new FakeStream("w1", 0, 0)));
        Assert.False(_connections.Drop("w1"));
    }

    [Fact]
    public void A_stream_that_claims_an_admitted_worker_without_its_token_is_refused_and_leaves_that_workers_stream_open()
    {
        _connections.Admit("w1", TokenOf("w1"));
        var genuine = new FakeStream("w1", 0, 0);
        Assert.Null(Accept(genuine));
        var hijacker = new FakeStream("w1", 0, 0);

        Assert.Equal("worker 'w1': the stream did not present the token of that worker's registration", _connections.Accept(hijacker, "guessed"));
        Assert.Equal("worker 'w1': the stream did not present the token of that worker's registration", _connections.Accept(hijacker, null));
        Assert.False(genuine.Disposed);
        Assert.Same(genuine, Assert.Single(_connections.Current));
    }

    [Fact]
    public void A_new_registration_replaces_the_token_and_the_old_one_opens_nothing()
    {
        _connections.Admit("w1", "first registration");
        _connections.Admit("w1", "second registration");

        Assert.NotNull(_connections.Accept(new FakeStream("w1", 0, 0), "first registration"));
        Assert.Null(_connections.Accept(new FakeStream("w1", 0, 0), "second registration"));
    }

    private static string TokenOf(string worker) => $"token of {worker}";

    private string? Accept(FakeStream stream) => _connections.Accept(stream, TokenOf(stream.Worker));

    private DataPlaneTraffic Total() =>
        _connections.TrafficByWorker().Aggregate(default(DataPlaneTraffic), (total, worker) => total.Plus(worker.Traffic));

    private sealed class FakeStream(string worker, long sent, long received) : IDisposable
    {
        public string Worker { get; } = worker;
        public long Sent { get; set; } = sent;
        public long Received { get; set; } = received;
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
