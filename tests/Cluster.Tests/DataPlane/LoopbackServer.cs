using System.Collections.Concurrent;
using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>A listener on an ephemeral loopback port that starts every accepted connection with a <see cref="ReceivingEnd"/>.</summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly BlockingCollection<ReceivingEnd> _accepted = new();
    private readonly BlockingCollection<string> _refusals = new();

    public LoopbackServer(DataPlaneOptions? options = null)
    {
        Options = options ?? new DataPlaneOptions();
        Listener = new TensorListener("127.0.0.1", 0, c => _accepted.Add(new ReceivingEnd(c)), _refusals.Add, Options);
    }

    public DataPlaneOptions Options { get; }

    public TensorListener Listener { get; }

    public ReceivingEnd NextConnection() =>
        _accepted.TryTake(out var end, ReceivingEnd.Wait) ? end : throw new TimeoutException("no connection accepted");

    public string NextRefusal() =>
        _refusals.TryTake(out var reason, ReceivingEnd.Wait) ? reason : throw new TimeoutException("no connection refused");

    /// <summary>Connects a client with <paramref name="options"/>, or else the listener's own.</summary>
    public TensorConnection Connect(string peerId, DataPlaneOptions? options = null) =>
        TensorClient.Connect("127.0.0.1", Listener.Port, peerId, TimeSpan.FromSeconds(5), retries: 0, options ?? Options);

    public void Dispose()
    {
        Listener.Dispose();
        foreach (var end in _accepted) end.Connection.Dispose();
    }
}
