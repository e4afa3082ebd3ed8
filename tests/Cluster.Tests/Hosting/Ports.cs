using System.Net;
using System.Net.Sockets;

namespace DistTrainer.Cluster.Tests.Hosting;

internal static class Ports
{
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
    private const int Span = 16384;
    private static readonly HashSet<int> Given = [];

    /// <summary>The lowest ephemeral port, read once: the kernel's range does not change while tests run.</summary>
    private static readonly int? Low = EphemeralLow();

    /// <summary>
    /// A loopback port nothing listens on at the moment of asking, taken below the kernel's range of ephemeral ports where
    /// that range is known, and never the same one twice in this process. A test often binds its port long after asking:
    /// a standby binds the killed coordinator's data-plane port only when it takes over, and a port in the ephemeral range
    /// can by then be the local end of any outgoing connection (a CI run failed on that: "Address already in use").
    /// </summary>
    public static int Free()
    {
        if (Low is not { } low || low - 1024 < Span) return AnyFree();
        lock (Given)
        {
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                int port = Random.Shared.Next(low - Span, low);
                if (!Given.Contains(port) && Bindable(port) && Given.Add(port)) return port;
            }
        }
        return AnyFree();
    }

    private static int AnyFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int? EphemeralLow()
    {
        try
        {
            string[] range = File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return range.Length == 2 && int.TryParse(range[0], out int low) ? low : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
