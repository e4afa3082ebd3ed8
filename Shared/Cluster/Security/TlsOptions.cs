using DistTrainer.Core;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// Where a node's TLS material lies: the private CA every peer must chain to, and this node's own
/// certificate and key, all PEM. An option wins over its DISTTRAINER_TLS_* variable; the three go together.
/// </summary>
public sealed record TlsOptions(string CaFile, string CertFile, string KeyFile)
{
    public const string CaVariable = "DISTTRAINER_TLS_CA";
    public const string CertVariable = "DISTTRAINER_TLS_CERT";
    public const string KeyVariable = "DISTTRAINER_TLS_KEY";

    /// <summary>
    /// The options given (each over its variable); null when none of the three is given anywhere,
    /// <see cref="InvalidInputException"/> when only some are.
    /// </summary>
    public static TlsOptions? Resolve(string? caFile, string? certFile, string? keyFile, Func<string, string?> environment)
    {
        string? Layered(string? option, string variable) =>
            option ?? (string.IsNullOrWhiteSpace(environment(variable)) ? null : environment(variable)!.Trim());

        string? ca = Layered(caFile, CaVariable), cert = Layered(certFile, CertVariable), key = Layered(keyFile, KeyVariable);
        if (ca is null && cert is null && key is null) return null;
        var missing = new[] { (ca, "--tls-ca", CaVariable), (cert, "--tls-cert", CertVariable), (key, "--tls-key", KeyVariable) }
            .Where(item => item.Item1 is null)
            .Select(item => $"{item.Item2} (or {item.Item3})")
            .ToList();
        if (missing.Count > 0)
            throw new InvalidInputException($"--tls-ca, --tls-cert and --tls-key go together: missing {string.Join(", ", missing)}");
        return new TlsOptions(ca!, cert!, key!);
    }

    /// <summary>Reads and checks the three files; see <see cref="TlsCredentials.Load"/>.</summary>
    public TlsCredentials Load() => TlsCredentials.Load(this);
}
