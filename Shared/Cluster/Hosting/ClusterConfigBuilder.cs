using System.Globalization;
using Akka.Configuration;
using DistTrainer.Cluster.Security;
using DistTrainer.Core;
using DistTrainer.Core.CommandLine;
using DistTrainer.Core.Text;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// The configuration of one node: <see cref="ClusterNodeOptions"/> over the DISTTRAINER_*
/// environment variables (how containers are told who they are) over deploy/akka.hocon and
/// deploy/disttrainer.hocon (the program's own limits), both embedded. With TLS the transport's SSL switch is on
/// and every seed node is addressed with the akka.ssl.tcp scheme, whichever scheme it was given with.
/// </summary>
public static class ClusterConfigBuilder
{
    public const string HostnameVariable = "DISTTRAINER_HOSTNAME";
    public const string PortVariable = "DISTTRAINER_PORT";
    public const string PublicHostnameVariable = "DISTTRAINER_PUBLIC_HOSTNAME";
    /// <summary>Comma-separated seed node addresses.</summary>
    public const string SeedNodesVariable = "DISTTRAINER_SEED_NODES";

    private static readonly string[] EmbeddedResources = ["DistTrainer.Cluster.akka.hocon", "DistTrainer.Cluster.disttrainer.hocon"];

    /// <summary>deploy/akka.hocon and deploy/disttrainer.hocon as shipped inside this assembly, as one Config.</summary>
    public static Config Embedded { get; } = EmbeddedResources.Select(LoadEmbedded).Aggregate((config, next) => config.WithFallback(next));

    public static Config Build(ClusterNodeOptions options) => Build(options, Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads an environment variable; null or blank means unset.</param>
    public static Config Build(ClusterNodeOptions options, Func<string, string?> environment)
    {
        string? Variable(string name) => string.IsNullOrWhiteSpace(environment(name)) ? null : environment(name)!.Trim();

        // The option when given, else the variable when set, with the name to blame for a bad value.
        (string Source, string Text)? Layered(string? option, string optionName, string variable) =>
            option is not null ? (optionName, option) : Variable(variable) is { } value ? (variable, value) : null;

        var lines = new List<string>();
        const string tcp = "akka.remote.dot-netty.tcp";

        if (Layered(options.Hostname, nameof(options.Hostname), HostnameVariable) is var (hostSource, host))
            lines.Add($"{tcp}.hostname = {JsonString.Quote(ValidHost(hostSource, host))}");
        if (Layered(options.PublicHostname, nameof(options.PublicHostname), PublicHostnameVariable) is var (publicSource, publicHost))
            lines.Add($"{tcp}.public-hostname = {JsonString.Quote(ValidHost(publicSource, publicHost))}");
        if (Layered(options.Port?.ToString(CultureInfo.InvariantCulture), nameof(options.Port), PortVariable) is var (portSource, port))
            lines.Add($"{tcp}.port = {ValidPort(portSource, port)}");

        if (options.SeedNodes is { } seeds)
            lines.Add($"akka.cluster.seed-nodes = {List(ValidSeeds(nameof(options.SeedNodes), seeds, options))}");
        else if (Variable(SeedNodesVariable) is { } seedVariable)
        {
            var listed = seedVariable.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            lines.Add($"akka.cluster.seed-nodes = {List(ValidSeeds(SeedNodesVariable, listed, options))}");
        }

        if (options.Roles is { } roles)
            lines.Add($"akka.cluster.roles = {List(roles.Select(ValidRole))}");

        var config = ConfigurationFactory.ParseString(string.Join('\n', lines));
        if (options.Tls is not null)
            config = config.WithFallback(RemotingTls.Config);
        return config.WithFallback(Embedded);
    }

    private static Config LoadEmbedded(string resource)
    {
        using var stream = typeof(ClusterConfigBuilder).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"resource {resource} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    private static string ValidHost(string source, string host)
    {
        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
            throw new InvalidInputException($"{source}: '{host}' is not a host name or address");
        return host;
    }

    private static string ValidPort(string source, string text) =>
        ArgumentReader.ParseInteger(source, text, int.MinValue) is var port and >= 0 and <= ushort.MaxValue
            ? port.ToString(CultureInfo.InvariantCulture)
            : throw new InvalidInputException($"{source}: {text} is not a port number (0-65535)");

    private static IEnumerable<string> ValidSeeds(string source, IEnumerable<string> seeds, ClusterNodeOptions options) =>
        seeds.Select(seed => SeedNode.WithScheme(SeedNode.Validate(source, seed, options.SystemName), options.Tls is not null)).ToList();

    private static string ValidRole(string role) =>
        role.Length > 0 && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? role
            : throw new InvalidInputException($"{nameof(ClusterNodeOptions.Roles)}: '{role}' is not a role name (letters, digits, '-', '_')");

    // A JSON string is a HOCON quoted string, escapes included.
    private static string List(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(JsonString.Quote))}]";
}
