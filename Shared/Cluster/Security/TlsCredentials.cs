using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DistTrainer.Core;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// One node's TLS identity: its certificate with the private key, the name it goes by (the certificate's
/// common name) and the validator of its peers against the private CA. A node whose own certificate does
/// not pass that validator is refused when loaded: its peers would refuse it at every handshake.
/// </summary>
public sealed class TlsCredentials
{
    // Built once: creating it builds the certificate's chain, which every accepted connection would otherwise pay for.
    private readonly Lazy<SslStreamCertificateContext> _serverContext;

    private TlsCredentials(X509Certificate2 certificate, PeerCertificateValidator peers)
    {
        Certificate = certificate;
        Peers = peers;
        Name = PeerCertificateValidator.NameOf(certificate);
        _serverContext = new Lazy<SslStreamCertificateContext>(() =>
            SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true));
    }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The common name of <see cref="Certificate"/>.</summary>
    public string Name { get; }

    public PeerCertificateValidator Peers { get; }

    /// <summary>What the accepting side of a handshake presents: <see cref="Certificate"/>, ready to send.</summary>
    public SslStreamCertificateContext ServerContext => _serverContext.Value;

    /// <exception cref="InvalidInputException">a file is missing or unreadable, or the certificate does not chain to the CA</exception>
    public static TlsCredentials Load(TlsOptions files)
    {
        var authority = Read("--tls-ca", files.CaFile, () => X509Certificate2.CreateFromPem(File.ReadAllText(files.CaFile)));
        var certificate = Read("--tls-cert", files.CertFile, () => X509Certificate2.CreateFromPemFile(files.CertFile, files.KeyFile));
        try
        {
            return Create(authority, certificate);
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException($"--tls-cert: '{files.CertFile}': {e.Message}");
        }
    }

    /// <exception cref="ArgumentException">the certificate has no private key or does not pass the CA's validator</exception>
    public static TlsCredentials Create(X509Certificate2 authority, X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
            throw new ArgumentException("the certificate comes without its private key", nameof(certificate));
        var peers = new PeerCertificateValidator(authority);
        if (peers.Problem(certificate) is { } problem)
            throw new ArgumentException($"this node's own certificate would be refused by its peers: {problem}", nameof(certificate));
        return new TlsCredentials(certificate, peers);
    }

    private static X509Certificate2 Read(string option, string path, Func<X509Certificate2> load)
    {
        if (!File.Exists(path))
            throw new InvalidInputException($"{option}: file '{path}' does not exist");
        try
        {
            return load();
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidInputException($"{option}: '{path}' is not a readable PEM certificate (and key): {e.Message}");
        }
    }
}
