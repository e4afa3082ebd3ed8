using DistTrainer.Cluster.Security;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// What makes one node of the cluster different from another. A null value leaves the setting to
/// the DISTTRAINER_* environment variables and then to deploy/akka.hocon (see <see cref="ClusterConfigBuilder"/>).
/// </summary>
/// <param name="Hostname">Address the node binds to.</param>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="PublicHostname">Address other nodes reach this one at, when it differs from the bound one (containers, NAT).</param>
/// <param name="SeedNodes">
/// Nodes to join through, each "akka.tcp://disttrainer@host:port" or "akka.ssl.tcp://..."; the scheme used is the one
/// <paramref name="Tls"/> implies. A node that lists itself first starts the cluster.
/// </param>
/// <param name="Roles">Roles of this node, see <see cref="ClusterRoles"/>.</param>
/// <param name="SystemName">Actor system name; it is part of every address, so all nodes use the same.</param>
/// <param name="Tls">This node's TLS identity: remoting and the data plane run over mutual TLS with it; null runs them in clear.</param>
/// <param name="Insecure">Allows running in clear off loopback (see <see cref="TransportSecurity"/>).</param>
public sealed record ClusterNodeOptions(
    string? Hostname = null,
    int? Port = null,
    string? PublicHostname = null,
    IReadOnlyList<string>? SeedNodes = null,
    IReadOnlyList<string>? Roles = null,
    string SystemName = ClusterNodeOptions.DefaultSystemName,
    TlsCredentials? Tls = null,
    bool Insecure = false)
{
    public const string DefaultSystemName = "disttrainer";
}
