using DistTrainer.Cluster.Hosting;
using DistTrainer.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

public class SeedNodeTests
{
    [Theory]
    [InlineData("akka.tcp://disttrainer@coordinator:4053")]
    [InlineData("akka.tcp://disttrainer@127.0.0.1:1")]
    [InlineData("akka.tcp://disttrainer@[::1]:65535")]
    [InlineData("akka.ssl.tcp://disttrainer@coordinator:4053")]
    public void Accepts_tcp_and_tls_addresses_of_the_system(string address) =>
        Assert.Equal(address, SeedNode.Validate("--seed", address, "disttrainer"));

    [Theory]
    [InlineData("coordinator:4053", "expected akka.tcp://disttrainer@host:port or akka.ssl.tcp://disttrainer@host:port")]
    [InlineData("akka://disttrainer@coordinator:4053", "expected akka.tcp://disttrainer@host:port or akka.ssl.tcp://disttrainer@host:port")]
    [InlineData("akka.tcp://coordinator:4053", "actor system '' is not 'disttrainer'")]
    [InlineData("akka.tcp://trainer@coordinator:4053", "actor system 'trainer' is not 'disttrainer'")]
    [InlineData("akka.tcp://disttrainer@coordinator", "no port (1-65535)")]
    [InlineData("akka.tcp://disttrainer@coordinator:0", "no port (1-65535)")]
    [InlineData("akka.tcp://disttrainer@coordinator:4053/user/x", "expected akka.tcp://disttrainer@host:port or akka.ssl.tcp://disttrainer@host:port, without a path")]
    [InlineData("akka.tcp://disttrainer@coordinator:4053/", "expected akka.tcp://disttrainer@host:port or akka.ssl.tcp://disttrainer@host:port, without a path")]
    [InlineData("", "expected akka.tcp://disttrainer@host:port or akka.ssl.tcp://disttrainer@host:port")]
    public void Names_the_source_the_address_and_the_problem(string address, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => SeedNode.Validate("--seed", address, "disttrainer"));
        Assert.Equal($"--seed: seed node '{address}': {problem}", e.Message);
    }

    [Theory]
    [InlineData("akka.tcp://disttrainer@coordinator:4053", true, "akka.ssl.tcp://disttrainer@coordinator:4053")]
    [InlineData("akka.ssl.tcp://disttrainer@coordinator:4053", true, "akka.ssl.tcp://disttrainer@coordinator:4053")]
    [InlineData("akka.ssl.tcp://disttrainer@[::1]:4053", false, "akka.tcp://disttrainer@[::1]:4053")]
    [InlineData("akka.tcp://disttrainer@coordinator:4053", false, "akka.tcp://disttrainer@coordinator:4053")]
    public void A_seed_is_addressed_with_the_scheme_the_node_speaks(string seed, bool tls, string expected) =>
        Assert.Equal(expected, SeedNode.WithScheme(seed, tls));
}
