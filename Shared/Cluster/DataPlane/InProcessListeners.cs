using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The listeners of this process that take in-process connections (<see cref="DataPlaneOptions.InProcess"/>), by bound
/// port: a client whose host and port name one of these, and whose options take it (<see cref="DataPlaneOptions.TakesInProcess"/>),
/// connects there in memory instead of through the kernel.
/// </summary>
internal static class InProcessListeners
{
    private static readonly ConcurrentDictionary<int, TensorListener> ByPort = new();

    public static void Add(TensorListener listener) => ByPort[listener.Port] = listener;

    public static void Remove(TensorListener listener) => ByPort.TryRemove(new KeyValuePair<int, TensorListener>(listener.Port, listener));

    /// <summary>The listener of this process that host:port reaches, or null (then the client connects through a socket).</summary>
    public static TensorListener? Find(string host, int port)
    {
        if (!ByPort.TryGetValue(port, out var listener)) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var parsed) ? [parsed] : Dns.GetHostAddresses(host);
        }
        catch (SocketException)
        {
            return null;
        }
        return addresses.Any(listener.Serves) ? listener : null;
    }
}
