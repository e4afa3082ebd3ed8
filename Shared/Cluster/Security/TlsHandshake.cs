using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// Mutual TLS over any stream, each side validating the other with <see cref="PeerCertificateValidator"/>: the
/// accepting side demands a client certificate, the connecting side sends its own. Host names play no part
/// (nodes are reached by address, containers by service name): a peer is who its CA-issued certificate says.
/// </summary>
public static class TlsHandshake
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Authenticates the accepting side of <paramref name="inner"/>, which the returned stream owns.</summary>
    /// <exception cref="AuthenticationException">the handshake failed or the peer's certificate was refused; the message says why</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired first</exception>
    public static async Task<TlsSession> AcceptAsync(Stream inner, TlsCredentials credentials, CancellationToken cancel)
    {
        var refusal = new Refusal(credentials.Peers);
        var stream = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = credentials.ServerContext,
            ClientCertificateRequired = true,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = refusal.Accepts,
        };
        return await Authenticate(stream, refusal, () => stream.AuthenticateAsServerAsync(options, cancel)).ConfigureAwait(false);
    }

    /// <summary>Authenticates the connecting side of <paramref name="inner"/>, which the returned stream owns.</summary>
    /// <exception cref="AuthenticationException">the handshake failed or the peer's certificate was refused; the message says why</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired first</exception>
    public static async Task<TlsSession> ConnectAsync(Stream inner, string host, TlsCredentials credentials, CancellationToken cancel)
    {
        var refusal = new Refusal(credentials.Peers);
        var stream = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = [credentials.Certificate],
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = refusal.Accepts,
        };
        return await Authenticate(stream, refusal, () => stream.AuthenticateAsClientAsync(options, cancel)).ConfigureAwait(false);
    }

    private static async Task<TlsSession> Authenticate(SslStream stream, Refusal refusal, Func<Task> handshake)
    {
        try
        {
            await handshake().ConfigureAwait(false);
            var peer = stream.RemoteCertificate as X509Certificate2
                       ?? throw new AuthenticationException("the peer presented no certificate");
            return new TlsSession(stream, PeerCertificateValidator.NameOf(peer));
        }
        catch (Exception e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (refusal.Reason is { } reason) throw new AuthenticationException($"TLS: peer refused: {reason}", e);
            if (e is AuthenticationException or IOException) throw new AuthenticationException($"TLS handshake failed: {e.Message}", e);
            throw;
        }
    }

    /// <summary>
    /// The validation callback: the standard policy errors are ignored because they judge the chain by the
    /// operating system's roots and the name by the host, neither of which applies; the private CA decides.
    /// </summary>
    private sealed class Refusal(PeerCertificateValidator peers)
    {
        public string? Reason { get; private set; }

        public bool Accepts(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            Reason = peers.Problem(certificate);
            return Reason is null;
        }
    }
}
