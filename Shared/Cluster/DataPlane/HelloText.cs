namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The text of a Hello frame: the peer's id and, on a second line, the stream token the coordinator gave that
/// worker when it registered (over the cluster's own channel). An id travels in clear and can be guessed; the
/// token cannot, so a stream that claims another worker's id is refused.
/// </summary>
public static class HelloText
{
    public static string Format(string peerId, string? token) => token is null ? peerId : $"{peerId}\n{token}";

    public static (string PeerId, string? Token) Parse(string text) =>
        text.IndexOf('\n') is var newline and >= 0 ? (text[..newline], text[(newline + 1)..]) : (text, null);
}
