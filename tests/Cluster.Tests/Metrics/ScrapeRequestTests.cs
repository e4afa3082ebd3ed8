using System.Text;
using DistTrainer.Cluster.Metrics;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

public sealed class ScrapeRequestTests
{
    [Theory]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n", ScrapeRequest.Ok)]
    [InlineData("GET /metrics/ HTTP/1.0\r\n\r\n", ScrapeRequest.Ok)]
    [InlineData("GET /metrics?name[]=up HTTP/1.1\r\n\r\n", ScrapeRequest.Ok)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", ScrapeRequest.NotFound)]
    [InlineData("GET /metricsx HTTP/1.1\r\n\r\n", ScrapeRequest.NotFound)]
    [InlineData("GET /metrics/x HTTP/1.1\r\n\r\n", ScrapeRequest.NotFound)]
    [InlineData("POST /metrics HTTP/1.1\r\n\r\n", ScrapeRequest.MethodNotAllowed)]
    [InlineData("get /metrics HTTP/1.1\r\n\r\n", ScrapeRequest.MethodNotAllowed)]
    [InlineData("GET /metrics\r\n\r\n", ScrapeRequest.BadRequest)]
    [InlineData("GET /metrics SSH-2.0\r\n\r\n", ScrapeRequest.BadRequest)]
    [InlineData(" /metrics HTTP/1.1\r\n\r\n", ScrapeRequest.BadRequest)]
    [InlineData("\r\n\r\n", ScrapeRequest.BadRequest)]
    public void A_complete_head_is_answered_by_its_request_line(string head, int status) =>
        Assert.Equal(status, ScrapeRequest.Status(Encoding.ASCII.GetBytes(head)));

    [Fact]
    public void The_head_ends_after_its_blank_line_and_not_before()
    {
        var received = Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\nbody");

        Assert.Equal(received.Length - 4, ScrapeRequest.HeadEnd(received));
        Assert.Equal(-1, ScrapeRequest.HeadEnd(received.AsSpan(0, received.Length - 6)));
    }

    [Fact]
    public void A_response_head_gives_the_status_the_length_and_a_closing_connection()
    {
        string head = Encoding.ASCII.GetString(ScrapeRequest.ResponseHead(ScrapeRequest.MethodNotAllowed, 19));

        Assert.Equal(
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\n" +
            "Allow: GET\r\nConnection: close\r\n\r\n", head);
        Assert.StartsWith("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 7\r\n",
            Encoding.ASCII.GetString(ScrapeRequest.ResponseHead(ScrapeRequest.Ok, 7)));
    }
}
