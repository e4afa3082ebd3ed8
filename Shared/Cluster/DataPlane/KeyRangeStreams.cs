using System.Globalization;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// With the parameters cut into key ranges (--ps-shards above 1), a worker opens one stream per range besides its main
/// one: the gradient parts of that range go out on it and the range's new weights come back on it. Such a stream's Hello
/// names the worker and the range, and carries the worker's registration token like its main stream, so the server that
/// takes it admits it by the same registration and knows which range it carries. The step's master has one stream to each
/// range's server too, for the range's protocol: its Hello names the range alone (<see cref="ControlPeerId"/>), which no
/// worker's stream can, since a worker id is never empty.
/// </summary>
public static class KeyRangeStreams
{
    private const string Separator = "/range/";

    /// <summary>The Hello id of <paramref name="workerId"/>'s stream for range <paramref name="range"/>.</summary>
    public static string PeerId(string workerId, int range) => $"{workerId}{Separator}{range.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The Hello id of the step master's stream to the server of range <paramref name="range"/>.</summary>
    public static string ControlPeerId(int range) => PeerId("", range);

    /// <summary>Whether <paramref name="peerId"/> names the step master's stream to a range's server, and which range.</summary>
    public static bool TryParseControl(string peerId, out int range)
    {
        range = -1;
        return peerId.StartsWith(Separator, StringComparison.Ordinal) &&
               int.TryParse(peerId.AsSpan(Separator.Length), NumberStyles.None, CultureInfo.InvariantCulture, out range);
    }

    /// <summary>Whether <paramref name="peerId"/> names a range stream, and whose and which range when it does.</summary>
    public static bool TryParse(string peerId, out string workerId, out int range)
    {
        int at = peerId.LastIndexOf(Separator, StringComparison.Ordinal);
        workerId = at > 0 ? peerId[..at] : peerId;
        range = -1;
        return at > 0 && int.TryParse(peerId.AsSpan(at + Separator.Length), NumberStyles.None, CultureInfo.InvariantCulture, out range);
    }

    /// <summary>Whether a worker id would read as a range stream's, which a worker may therefore not take.</summary>
    public static bool Reserved(string workerId) => workerId.Contains(Separator, StringComparison.Ordinal);
}
