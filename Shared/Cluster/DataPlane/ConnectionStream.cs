using System.Net.Sockets;
using DistTrainer.Cluster.Security;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The stream a connection's frames travel on, opened the same way on both ends: the socket itself, or, when
/// the node has a TLS identity, a mutual TLS session over it in which each end checks the other's certificate
/// against the private CA (<see cref="TlsHandshake"/>). The socket stays its caller's: closing it ends the stream.
/// </summary>
internal static class ConnectionStream
{
    /// <summary>The listening side's stream of <paramref name="socket"/>; with <paramref name="tls"/>, authenticated before it is returned.</summary>
    /// <exception cref="System.Security.Authentication.AuthenticationException">the handshake failed or the peer was refused</exception>
    /// <exception cref="OperationCanceledException"><paramref name="deadline"/> passed first</exception>
    public static async Task<Stream> AcceptAsync(Socket socket, TlsCredentials? tls, CancellationToken deadline)
    {
        var plain = new NetworkStream(socket, ownsSocket: false);
        return tls is null ? plain : (await TlsHandshake.AcceptAsync(plain, tls, deadline).ConfigureAwait(false)).Stream;
    }

    /// <summary>The connecting side's stream of <paramref name="socket"/>, connected to <paramref name="host"/>; as <see cref="AcceptAsync"/>.</summary>
    public static async Task<Stream> ConnectAsync(Socket socket, string host, TlsCredentials? tls, CancellationToken deadline)
    {
        var plain = new NetworkStream(socket, ownsSocket: false);
        return tls is null ? plain : (await TlsHandshake.ConnectAsync(plain, host, tls, deadline).ConfigureAwait(false)).Stream;
    }
}
