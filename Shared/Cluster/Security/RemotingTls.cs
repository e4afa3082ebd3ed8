using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// Akka remoting over mutual TLS. The DotNetty transport takes the certificate and a validation callback
/// from a <see cref="DotNettySslSetup"/>; the callback replaces its own validation, whose choices are the
/// operating system's roots or none at all (suppress-validation, never used here). Both ends of every
/// association run it: a node without a certificate of this cluster's CA never gets past the handshake.
/// </summary>
public static class RemotingTls
{
    /// <summary>The transport's switch; with it on, every address of the node uses the akka.ssl.tcp scheme.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = true");

    public static DotNettySslSetup Setup(TlsCredentials credentials) =>
        new(credentials.Certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: (certificate, _, remotePeer, _, log) => Accepts(credentials.Peers, certificate, remotePeer, log));

    private static bool Accepts(PeerCertificateValidator peers, X509Certificate2? certificate, string remotePeer, ILoggingAdapter? log)
    {
        if (peers.Problem(certificate) is not { } problem) return true;
        log?.Warning("Remoting: refused TLS peer {0}: {1}", remotePeer, problem);
        return false;
    }
}
