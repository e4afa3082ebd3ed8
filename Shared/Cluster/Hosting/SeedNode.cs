using DistTrainer.Core;

namespace DistTrainer.Cluster.Hosting;

/// <summary>Checks a seed node address before Akka sees it, so a typo is named instead of failing to join in silence.</summary>
public static class SeedNode
{
    private const string Scheme = "akka.tcp";

    /// <summary>
    /// Returns <paramref name="text"/> when it is "akka.tcp://<paramref name="systemName"/>@host:port",
    /// else throws <see cref="InvalidInputException"/> naming <paramref name="source"/> and the address.
    /// </summary>
    public static string Validate(string source, string text, string systemName)
    {
        string expected = $"expected {Scheme}://{systemName}@host:port";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Scheme)
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

    private static InvalidInputException Invalid(string source, string text, string problem) =>
        new($"{source}: seed node '{text}': {problem}");
}
