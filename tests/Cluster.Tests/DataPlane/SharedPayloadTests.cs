using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class SharedPayloadTests : IDisposable
{
    private readonly LoopbackServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void The_array_returns_to_the_pool_only_after_the_owner_and_every_send_are_done()
    {
        var pool = new PayloadPool();
        using var first = _server.Connect("worker-1");
        using var second = _server.Connect("worker-2");
        var ends = new[] { _server.NextConnection(), _server.NextConnection() };
        var payload = new SharedPayload(pool, 1000);
        Array.Fill(payload.Array, 2.5f);

        Assert.True(payload.SendOn(first, new FrameHeader(FrameKind.Weights, WeightsVersion: 3)));
        Assert.True(payload.SendOn(second, new FrameHeader(FrameKind.Weights, WeightsVersion: 3)));
        foreach (var end in ends) Assert.All(end.NextFrame().Payload, value => Assert.Equal(2.5f, value));
        Assert.NotSame(payload.Array, pool.Rent(1000));

        payload.Release();

        Assert.True(SpinWait.SpinUntil(() => payload.Holders == 0, ReceivingEnd.Wait));
        Assert.Same(payload.Array, pool.Rent(1000));
    }

    [Fact]
    public void A_send_on_a_closed_connection_does_not_keep_the_payload_held()
    {
        var pool = new PayloadPool();
        var closed = _server.Connect("worker-1");
        closed.Dispose();
        var payload = new SharedPayload(pool, 16);

        Assert.False(payload.SendOn(closed, new FrameHeader(FrameKind.Weights)));
        payload.Release();

        Assert.Equal(0, payload.Holders);
        Assert.Same(payload.Array, pool.Rent(16));
    }

    [Fact]
    public void It_is_reused_with_an_array_from_its_pool_only_once_neither_its_owner_nor_a_send_holds_the_last_one()
    {
        var pool = new PayloadPool();
        using var connection = _server.Connect("worker-1");
        var end = _server.NextConnection();
        var payload = new SharedPayload(pool, 1000);
        float[] sent = payload.Array;
        Assert.False(payload.TryReuse());
        Assert.True(payload.SendOn(connection, new FrameHeader(FrameKind.Weights)));
        payload.Release();
        end.NextFrame();

        Assert.True(SpinWait.SpinUntil(() => payload.Holders == 0, ReceivingEnd.Wait));
        Assert.True(payload.TryReuse());

        Assert.Equal(1, payload.Holders);
        Assert.Same(sent, payload.Array);
    }

    [Fact]
    public void Releasing_more_often_than_held_is_an_error()
    {
        var payload = new SharedPayload(new PayloadPool(), 16);
        payload.Release();

        Assert.Throws<InvalidOperationException>(payload.Release);
    }
}
