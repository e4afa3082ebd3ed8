using System.Globalization;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// The signals this process ignores as its parent left them. A shell without job control starts a background job with
/// SIGINT and SIGQUIT ignored, and .NET then never hands SIGINT to a handler: such a run can only be stopped by SIGTERM.
/// Read from Linux's /proc; elsewhere nothing is known to be ignored.
/// </summary>
public static class IgnoredSignals
{
    public const int Sigint = 2;

    public static bool Includes(int signal) =>
        File.Exists("/proc/self/status") && Includes(File.ReadAllText("/proc/self/status"), signal);

    /// <summary>Whether the "SigIgn:" mask of a /proc status text (bit n-1 for signal n, in hex) holds <paramref name="signal"/>.</summary>
    public static bool Includes(string procStatus, int signal)
    {
        const string field = "SigIgn:";
        var line = procStatus.Split('\n').FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line[field.Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask)
            && (mask & (1UL << (signal - 1))) != 0;
    }
}
