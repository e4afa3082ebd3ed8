using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// Decides whether a peer's certificate belongs to this cluster: it must chain to the private CA alone
/// (the operating system's trusted roots play no part), be within its validity, not be a CA itself, and
/// be usable both to accept and to open connections (every node does both, on both planes). Revocation is
/// not checked: a private CA of one cluster publishes no revocation list; rotating the CA revokes.
/// </summary>
public sealed class PeerCertificateValidator(X509Certificate2 authority)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public X509Certificate2 Authority { get; } = authority;

    /// <summary>Null when <paramref name="certificate"/> is acceptable; otherwise what is wrong with it, in one line.</summary>
    public string? Problem(X509Certificate? certificate)
    {
        if (certificate is null) return "no certificate was presented";
        var peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (peer.Extensions.OfType<X509BasicConstraintsExtension>().Any(constraints => constraints.CertificateAuthority))
            return $"'{peer.Subject}' is a CA certificate, not a node's";

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (chain.Build(peer) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
            return null;
        var reasons = chain.ChainStatus.Select(status => status.StatusInformation.Trim()).Where(text => text.Length > 0).Distinct();
        return $"'{peer.Subject}' (issued by '{peer.Issuer}') is not a node certificate of this cluster's CA: {string.Join("; ", reasons)}";
    }

    /// <summary>The common name of <paramref name="certificate"/>: the identity a node goes by.</summary>
    public static string NameOf(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}
