using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using DistTrainer.Shared.CommandLine;

namespace DistTrainer.Shared.Cluster;

/// <summary>
/// The Akka configuration of one node: <see cref="ClusterNodeOptions"/> over the DISTTRAINER_*
/// environment variables (how containers are told who they are) over deploy/akka.hocon, embedded.
/// </summary>
public static class ClusterConfigBuilder
{
    public const string HostnameVariable = "DISTTRAINER_HOSTNAME";
    public const string PortVariable = "DISTTRAINER_PORT";
    public const string PublicHostnameVariable = "DISTTRAINER_PUBLIC_HOSTNAME";
    /// <summary>Comma-separated seed node addresses.</summary>
    public const string SeedNodesVariable = "DISTTRAINER_SEED_NODES";

    private const string EmbeddedResource = "DistTrainer.Shared.Cluster.akka.hocon";

    /// <summary>deploy/akka.hocon as shipped inside this assembly.</summary>
    public static Config Embedded { get; } = LoadEmbedded();

    public static Config Build(ClusterNodeOptions options) => Build(options, Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads an environment variable; null or blank means unset.</param>
    public static Config Build(ClusterNodeOptions options, Func<string, string?> environment)
    {
        string? Variable(string name) => string.IsNullOrWhiteSpace(environment(name)) ? null : environment(name)!.Trim();

        var lines = new List<string>();
        string tcp = "akka.remote.dot-netty.tcp";

        if (options.Hostname is { } hostname)
            lines.Add($"{tcp}.hostname = {Quote(ValidHost(nameof(options.Hostname), hostname))}");
        else if (Variable(HostnameVariable) is { } hostnameVariable)
            lines.Add($"{tcp}.hostname = {Quote(ValidHost(HostnameVariable, hostnameVariable))}");

        if (options.PublicHostname is { } publicHostname)
            lines.Add($"{tcp}.public-hostname = {Quote(ValidHost(nameof(options.PublicHostname), publicHostname))}");
        else if (Variable(PublicHostnameVariable) is { } publicVariable)
            lines.Add($"{tcp}.public-hostname = {Quote(ValidHost(PublicHostnameVariable, publicVariable))}");

        if (options.Port is { } port)
            lines.Add($"{tcp}.port = {ValidPort(nameof(options.Port), port)}");
        else if (Variable(PortVariable) is { } portVariable)
            lines.Add($"{tcp}.port = {ValidPort(PortVariable, ArgumentReader.ParseInteger(PortVariable, portVariable, 0))}");

        if (options.SeedNodes is { } seeds)
            lines.Add($"akka.cluster.seed-nodes = {List(ValidSeeds(nameof(options.SeedNodes), seeds, options.SystemName))}");
        else if (Variable(SeedNodesVariable) is { } seedVariable)
            lines.Add($"akka.cluster.seed-nodes = {List(ValidSeeds(SeedNodesVariable, seedVariable.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), options.SystemName))}");

        if (options.Roles is { } roles)
            lines.Add($"akka.cluster.roles = {List(roles.Select(ValidRole))}");

        return ConfigurationFactory.ParseString(string.Join('\n', lines)).WithFallback(Embedded);
    }

    private static Config LoadEmbedded()
    {
        using var stream = typeof(ClusterConfigBuilder).Assembly.GetManifestResourceStream(EmbeddedResource)
            ?? throw new InvalidOperationException($"resource {EmbeddedResource} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    private static string ValidHost(string source, string host)
    {
        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
            throw new InvalidInputException($"{source}: '{host}' is not a host name or address");
        return host;
    }

    private static string ValidPort(string source, int port) =>
        port is >= 0 and <= ushort.MaxValue
            ? port.ToString(CultureInfo.InvariantCulture)
            : throw new InvalidInputException($"{source}: {port} is not a port number (0-65535)");

    private static IEnumerable<string> ValidSeeds(string source, IEnumerable<string> seeds, string systemName) =>
        seeds.Select(seed => SeedNode.Validate(source, seed, systemName)).ToList();

    private static string ValidRole(string role) =>
        role.Length > 0 && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? role
            : throw new InvalidInputException($"{nameof(ClusterNodeOptions.Roles)}: '{role}' is not a role name (letters, digits, '-', '_')");

    private static string List(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(Quote))}]";

    // A JSON string is a valid HOCON quoted string, escapes included.
    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
