using System.Text;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// What the metrics port answers to a request's head (its bytes up to the blank line): the exposition for
/// <c>GET /metrics</c> (a trailing slash and a query string allowed, as Prometheus and curl send them), an error status
/// for anything else. Only the request line is read; headers are neither needed nor kept.
/// </summary>
internal static class ScrapeRequest
{
    public const int Ok = 200;
    public const int BadRequest = 400;
    public const int NotFound = 404;
    public const int MethodNotAllowed = 405;
    public const int HeadTooLarge = 431;

    /// <summary>The index just past the head's closing blank line, or -1 while the head is not complete.</summary>
    public static int HeadEnd(ReadOnlySpan<byte> received)
    {
        int end = received.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    /// <summary>The status a complete head is answered with.</summary>
    public static int Status(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        var line = lineEnd < 0 ? head : head[..lineEnd];
        int firstSpace = line.IndexOf((byte)' ');
        int lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1 || !line[(lastSpace + 1)..].StartsWith("HTTP/1."u8))
            return BadRequest;
        var target = line[(firstSpace + 1)..lastSpace];
        int query = target.IndexOf((byte)'?');
        var path = query < 0 ? target : target[..query];
        if (!path.SequenceEqual("/metrics"u8) && !path.SequenceEqual("/metrics/"u8))
            return NotFound;
        return line[..firstSpace].SequenceEqual("GET"u8) ? Ok : MethodNotAllowed;
    }

    /// <summary>The response's head: the status, the body's length, and a connection that closes after the body.</summary>
    public static byte[] ResponseHead(int status, long bodyLength)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(Reason(status)).Append("\r\n")
            .Append("Content-Type: ").Append(status == Ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8").Append("\r\n")
            .Append("Content-Length: ").Append(bodyLength).Append("\r\n");
        if (status == MethodNotAllowed)
            head.Append("Allow: GET\r\n");
        return Encoding.ASCII.GetBytes(head.Append("Connection: close\r\n\r\n").ToString());
    }

    public static string Reason(int status) => status switch
    {
        Ok => "OK",
        BadRequest => "Bad Request",
        NotFound => "Not Found",
        MethodNotAllowed => "Method Not Allowed",
        HeadTooLarge => "Request Header Fields Too Large",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a status the metrics port answers with"),
    };
}
