using DistTrainer.Core.CommandLine;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// A node's security options, read alike by every program that starts a node: --tls-ca, --tls-cert and --tls-key
/// (each over its DISTTRAINER_TLS_* variable), loaded and checked at once, and --insecure.
/// </summary>
/// <param name="Tls">The node's credentials; null runs both planes in clear.</param>
/// <param name="Insecure">Leave to run in clear off loopback (see <see cref="TransportSecurity"/>).</param>
public sealed record NodeSecurity(TlsCredentials? Tls, bool Insecure)
{
    public const string InsecureFlag = "--insecure";

    public static NodeSecurity Plaintext { get; } = new(null, false);

    /// <summary>Reads the options from <paramref name="reader"/>, whose flags must include <see cref="InsecureFlag"/>.</summary>
    /// <exception cref="Core.InvalidInputException">the options are incomplete, or a file is missing or not a valid PEM of the CA</exception>
    public static NodeSecurity Read(ArgumentReader reader, Func<string, string?> environment)
    {
        var files = TlsOptions.Resolve(reader.String("--tls-ca"), reader.String("--tls-cert"), reader.String("--tls-key"), environment);
        return new NodeSecurity(files?.Load(), reader.Flag(InsecureFlag));
    }
}
