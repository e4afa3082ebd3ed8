using DistTrainer.Core;

namespace DistTrainer.Cluster.Hosting;

/// <summary>Checks a seed node address before Akka sees it, so a typo is named instead of failing to join in silence.</summary>
public static class SeedNode
{
    private const string Plain = "akka.tcp";
    private const string Tls = "akka.ssl.tcp";

    /// <summary>
    /// Returns <paramref name="text"/> when it is "akka.tcp://<paramref name="systemName"/>@host:port" (or the same with
    /// akka.ssl.tcp), else throws <see cref="InvalidInputException"/> naming <paramref name="source"/> and the address.
    /// </summary>
    public static string Validate(string source, string text, string systemName)
    {
        string expected = $"expected {Plain}://{systemName}@host:port or {Tls}://{systemName}@host:port";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not (Plain or Tls))
            throw Invalid(source, text, expected);
        if (uri.UserInfo != systemName)
            throw Invalid(source, text, $"actor system '{uri.UserInfo}' is not '{systemName}'");
        if (uri.Host.Length == 0)
            throw Invalid(source, text, "no host");
        if (uri.Port is < 1 or > ushort.MaxValue)
            throw Invalid(source, text, "no port (1-65535)");
        if (uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || text.EndsWith('/'))
            throw Invalid(source, text, $"{expected}, without a path");
        return text;
    }

    /// <summary>
    /// A valid seed address with the scheme a node with (<paramref name="tls"/>) or without TLS speaks: one
    /// list of seeds serves both, and a node never tries to reach a seed in the other scheme, which fails in silence.
    /// </summary>
    public static string WithScheme(string seed, bool tls)
    {
        string rest = seed[(seed.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return $"{(tls ? Tls : Plain)}://{rest}";
    }

    private static InvalidInputException Invalid(string source, string text, string problem) =>
        new($"{source}: seed node '{text}': {problem}");
}
