using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using DistTrainer.Cluster.Security;
using Xunit;

namespace DistTrainer.Cluster.Tests.Security;

/// <summary>Both ends of a loopback connection authenticate each other; every handshake is bounded by a deadline.</summary>
public class TlsHandshakeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TestCertificates _cluster = new();

    [Fact]
    public async Task Two_nodes_of_the_cluster_CA_authenticate_each_other_and_learn_each_others_names()
    {
        var (server, client) = await Handshake(_cluster.Node("coordinator"), _cluster.Node("worker-1"));
        Assert.Equal("worker-1", (await server).PeerName);
        Assert.Equal("coordinator", (await client).PeerName);

        var sent = new byte[] { 1, 2, 3, 4 };
        await (await client).Stream.WriteAsync(sent);
        var received = new byte[4];
        await (await server).Stream.ReadExactlyAsync(received);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused_by_the_server()
    {
        var (server, client) = await Handshake(_cluster.Node("coordinator"), new TestCertificates("other CA").Node("intruder"));
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => server);
        Assert.StartsWith("TLS: peer refused: 'CN=intruder' (issued by 'CN=other CA') is not a node certificate of this cluster's CA", e.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => ReadFrom(client));
    }

    [Fact]
    public async Task A_self_signed_client_certificate_is_refused_by_the_server()
    {
        var certificate = TestCertificates.SelfSigned("intruder");
        var selfSigned = TlsCredentials.Create(certificate, certificate);
        var (server, client) = await Handshake(_cluster.Node("coordinator"), selfSigned);
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => server);
        Assert.StartsWith("TLS: peer refused: 'CN=intruder' (issued by 'CN=intruder')", e.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => ReadFrom(client));
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_refused_by_the_client()
    {
        var (_, client) = await Handshake(new TestCertificates("other CA").Node("impostor"), _cluster.Node("worker-1"));
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => client);
        Assert.StartsWith("TLS: peer refused: 'CN=impostor' (issued by 'CN=other CA')", e.Message);
    }

    [Fact]
    public async Task A_client_that_speaks_no_TLS_fails_the_handshake_instead_of_being_read()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var plain = new TcpClient();
        await plain.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        var server = TlsHandshake.AcceptAsync(accepted.GetStream(), _cluster.Node("coordinator"), deadline.Token);
        await plain.GetStream().WriteAsync("HELLO worker-1 in clear\n\n\n\n\n\n\n\n\n\n"u8.ToArray());
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => server);
        Assert.StartsWith("TLS handshake failed:", e.Message);
    }

    /// <summary>Connects a client to a server on loopback and starts both handshakes.</summary>
    private static async Task<(Task<TlsSession> Server, Task<TlsSession> Client)> Handshake(TlsCredentials server, TlsCredentials client)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connecting = new TcpClient();
        await connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        listener.Stop();
        var deadline = new CancellationTokenSource(Deadline);
        var serverSide = TlsHandshake.AcceptAsync(accepted.GetStream(), server, deadline.Token);
        var clientSide = TlsHandshake.ConnectAsync(connecting.GetStream(), "coordinator", client, deadline.Token);
        await Task.WhenAny(Task.WhenAll(serverSide, clientSide), Task.Delay(Deadline));
        return (serverSide, clientSide);
    }

    /// <summary>A client whose handshake seemed to pass (TLS 1.3 finishes the client first) learns of its refusal on its first read.</summary>
    private static async Task ReadFrom(Task<TlsSession> client)
    {
        var session = await client;
        var buffer = new byte[1];
        if (await session.Stream.ReadAsync(buffer) == 0) throw new IOException("closed by the server");
    }
}
