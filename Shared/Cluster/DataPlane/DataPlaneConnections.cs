using System.Security.Cryptography;
using System.Text;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The parameter server's bookkeeping of data-plane streams: the workers the coordinator admitted with the stream
/// token of each one's registration, the
/// current stream of each (a worker that connects again replaces, and closes, its older stream), and
/// the bytes every stream carried over the run, closed ones included. Generic over the stream so that
/// it is tested without sockets: <paramref name="workerOf"/> names a stream's worker and
/// <paramref name="trafficOf"/> reads its byte counts.
/// </summary>
public sealed class DataPlaneConnections<TConnection>(Func<TConnection, string> workerOf, Func<TConnection, DataPlaneTraffic> trafficOf)
    : IDisposable
    where TConnection : class, IDisposable
{
    private readonly Dictionary<string, string> _admitted = new();
    private readonly Dictionary<string, TConnection> _current = new();
    // One entry per worker that ever had a stream here: the admitted workers of a run, which the roster bounds.
    private readonly Dictionary<string, DataPlaneTraffic> _closed = new();

    /// <summary>The current stream of every connected worker: where new weights go.</summary>
    public IEnumerable<TConnection> Current => _current.Values;

    /// <summary>Bytes sent and received over the run with each worker that had a stream here, closed streams and open ones.</summary>
    public IEnumerable<(string Worker, DataPlaneTraffic Traffic)> TrafficByWorker() =>
        _closed.Keys.Union(_current.Keys).Select(worker => (worker, _closed.GetValueOrDefault(worker).Plus(
            _current.TryGetValue(worker, out var current) ? trafficOf(current) : default)));

    /// <summary>Every admitted worker with the token of its registration.</summary>
    public IEnumerable<(string Worker, string Token)> Admitted => _admitted.Select(admitted => (admitted.Key, admitted.Value));

    /// <summary>Whether <paramref name="workerId"/> is admitted here: which of its bookkeepings a stream belongs to.</summary>
    public bool Admits(string workerId) => _admitted.ContainsKey(workerId);

    /// <summary>Admits <paramref name="workerId"/>; a later registration's <paramref name="token"/> replaces an earlier one.</summary>
    public void Admit(string workerId, string token) => _admitted[workerId] = token;

    /// <summary>
    /// Makes <paramref name="connection"/> its worker's current stream, closing the one it replaces, when it presented
    /// its worker's <paramref name="token"/>; otherwise keeps nothing, leaves the worker's stream as it is, and returns
    /// why (the caller refuses it).
    /// </summary>
    public string? Accept(TConnection connection, string? token)
    {
        string worker = workerOf(connection);
        if (!_admitted.TryGetValue(worker, out var expected)) return $"worker '{worker}' is not registered with the coordinator";
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(expected)))
            return $"worker '{worker}': the stream did not present the token of that worker's registration";
        if (_current.Remove(worker, out var previous))
        {
            previous.Dispose();
            Closed(worker, previous);
        }
        _current[worker] = connection;
        return null;
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
        Closed(worker, current);
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
        Closed(workerId, current);
        return true;
    }

    private void Closed(string worker, TConnection connection) =>
        _closed[worker] = _closed.GetValueOrDefault(worker).Plus(trafficOf(connection));

    /// <summary>
    /// Closes the worker's current stream, if any, keeping its admission and its place until the stream's closing is
    /// reported (<see cref="Forget"/>): one of its other streams was lost, and this one must go with it.
    /// </summary>
    public void Close(string workerId)
    {
        if (_current.TryGetValue(workerId, out var current)) current.Dispose();
    }

    /// <summary>Closes every current stream (the parameter server stops).</summary>
    public void Dispose()
    {
        foreach (var connection in _current.Values) connection.Dispose();
    }
}
