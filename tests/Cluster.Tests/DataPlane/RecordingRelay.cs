using System.Net;
using System.Net.Sockets;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// A TCP relay on loopback that forwards each connection to a target port and records every byte it forwards, each
/// direction apart: what someone on the network path between a worker and the parameter server would see.
/// </summary>
internal sealed class RecordingRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MemoryStream _toTarget = new(), _fromTarget = new();
    private readonly List<TcpClient> _sockets = [];
    private readonly Task _relaying;

    public RecordingRelay(int targetPort)
    {
        _listener.Start();
        _relaying = RelayAsync(targetPort);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The bytes forwarded to the target so far.</summary>
    public byte[] ToTarget() => Snapshot(_toTarget);

    /// <summary>The bytes forwarded back from the target so far.</summary>
    public byte[] FromTarget() => Snapshot(_fromTarget);

    public void Dispose()
    {
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
        }
        _relaying.Wait(ReceivingEnd.Wait);
    }

    private async Task RelayAsync(int targetPort)
    {
        var pumps = new List<Task>();
        try
        {
            while (true)
            {
                var incoming = await _listener.AcceptTcpClientAsync();
                var outgoing = new TcpClient();
                lock (_sockets) _sockets.AddRange([incoming, outgoing]);
                await outgoing.ConnectAsync(IPAddress.Loopback, targetPort);
                pumps.Add(PumpAsync(incoming.GetStream(), outgoing.GetStream(), _toTarget));
                pumps.Add(PumpAsync(outgoing.GetStream(), incoming.GetStream(), _fromTarget));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            await Task.WhenAll(pumps);
        }
    }

    /// <summary>Records each chunk before forwarding it, so a byte the receiver has seen is already recorded.</summary>
    private static async Task PumpAsync(NetworkStream from, NetworkStream to, MemoryStream record)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                lock (record) record.Write(buffer, 0, n);
                await to.WriteAsync(buffer.AsMemory(0, n));
            }
            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Either end closed: what was forwarded is recorded.
        }
    }

    private static byte[] Snapshot(MemoryStream record)
    {
        lock (record) return record.ToArray();
    }
}
