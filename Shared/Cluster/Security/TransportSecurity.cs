using System.Net;
using DistTrainer.Core;

namespace DistTrainer.Cluster.Security;

/// <summary>
/// Whether a node may run its two planes in clear. On loopback only the machine itself can reach the ports,
/// so plaintext is allowed there; anywhere else a node refuses to start without TLS unless told --insecure.
/// </summary>
public static class TransportSecurity
{
    /// <summary>Throws <see cref="InvalidInputException"/> when a node bound to <paramref name="bindHost"/> would run in clear without leave.</summary>
    public static void Check(string bindHost, bool tls, bool insecure)
    {
        if (tls || insecure || IsLoopback(bindHost)) return;
        throw new InvalidInputException(
            $"--hostname: '{bindHost}' is not a loopback address, and off loopback a node runs only with TLS: give --tls-ca, --tls-cert " +
            "and --tls-key (see deploy/make-certs.sh), or --insecure to let anyone who reaches the ports join and read the run");
    }

    /// <summary>The one-line warning a node given --insecure starts with.</summary>
    public static string InsecureWarning(string bindHost) =>
        $"--insecure: this node runs without TLS on {bindHost}: anyone who reaches its ports can join the cluster, read the model and weights, and send results";

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
