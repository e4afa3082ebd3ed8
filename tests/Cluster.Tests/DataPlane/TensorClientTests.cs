using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class TensorClientTests
{
    [Fact]
    public void Failing_to_connect_names_the_endpoint_and_the_attempts()
    {
        int closedPort;
        using (var server = new LoopbackServer()) closedPort = server.Listener.Port;
        var options = new DataPlaneOptions { Timings = DataPlaneSettings.Default with { FirstRetryDelay = TimeSpan.FromMilliseconds(10) } };

        var error = Assert.Throws<IOException>(() =>
            TensorClient.Connect("127.0.0.1", closedPort, "worker-1", TimeSpan.FromSeconds(2), retries: 2, options));

        Assert.StartsWith($"data plane: could not connect to 127.0.0.1:{closedPort} in 3 attempts; last error: ", error.Message);
    }

    [Fact]
    public void The_connecting_side_names_the_peer_by_address()
    {
        using var server = new LoopbackServer();

        using var client = server.Connect("worker-1");

        Assert.Null(client.PeerId);
        Assert.Equal($"127.0.0.1:{server.Listener.Port}", client.Peer);
        Assert.Equal("worker-1", server.NextConnection().Connection.PeerId);
    }
}
