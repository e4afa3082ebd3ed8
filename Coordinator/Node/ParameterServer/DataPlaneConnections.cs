namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's bookkeeping of data-plane streams: the workers the coordinator admitted, the
/// current stream of each (a worker that connects again replaces, and closes, its older stream), and
/// the bytes every stream carried over the run, closed ones included. Generic over the stream so that
/// it is tested without sockets: <paramref name="workerOf"/> names a stream's worker and
/// <paramref name="trafficOf"/> reads its byte counts.
/// </summary>
public sealed class DataPlaneConnections<TConnection>(Func<TConnection, string> workerOf, Func<TConnection, DataPlaneTraffic> trafficOf)
    : IDisposable
    where TConnection : class, IDisposable
{
    private readonly HashSet<string> _admitted = new();
    private readonly Dictionary<string, TConnection> _current = new();
    private DataPlaneTraffic _closed;

    /// <summary>The current stream of every connected worker: where new weights go.</summary>
    public IEnumerable<TConnection> Current => _current.Values;

    /// <summary>Bytes sent and received over the run, on closed streams and open ones.</summary>
    public DataPlaneTraffic Traffic => _current.Values.Aggregate(_closed, (total, connection) => total.Plus(trafficOf(connection)));

    public void Admit(string workerId) => _admitted.Add(workerId);

    /// <summary>
    /// Makes <paramref name="connection"/> its worker's current stream, closing the one it replaces; false
    /// (and nothing kept) when the coordinator did not admit that worker: the caller refuses it.
    /// </summary>
    public bool TryAccept(TConnection connection)
    {
        string worker = workerOf(connection);
        if (!_admitted.Contains(worker)) return false;
        if (_current.Remove(worker, out var previous))
        {
            previous.Dispose();
            _closed = _closed.Plus(trafficOf(previous));
        }
        _current[worker] = connection;
        return true;
    }

    /// <summary>
    /// Drops a stream that closed; its worker's id when it was that worker's current stream, null when a
    /// newer stream had already replaced it (that worker is still connected) or it was never accepted.
    /// </summary>
    public string? Forget(TConnection connection)
    {
        string worker = workerOf(connection);
        if (!_current.TryGetValue(worker, out var current) || !ReferenceEquals(current, connection)) return null;
        _current.Remove(worker);
        _closed = _closed.Plus(trafficOf(current));
        return worker;
    }

    /// <summary>
    /// Closes the worker's current stream, if any, and withdraws its admission: it comes back only by registering
    /// again. True when a stream was closed.
    /// </summary>
    public bool Drop(string workerId)
    {
        _admitted.Remove(workerId);
        if (!_current.Remove(workerId, out var current)) return false;
        current.Dispose();
        _closed = _closed.Plus(trafficOf(current));
        return true;
    }

    /// <summary>Closes every current stream (the parameter server stops).</summary>
    public void Dispose()
    {
        foreach (var connection in _current.Values) connection.Dispose();
    }
}
