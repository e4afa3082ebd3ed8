using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Logging;
using DistTrainer.Cluster.Tests.Security;
using DistTrainer.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

public class ClusterConfigBuilderTests
{
    private const string Tcp = "akka.remote.dot-netty.tcp";

    private static Config Build(ClusterNodeOptions options, params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value);
        return ClusterConfigBuilder.Build(options, name => environment.GetValueOrDefault(name));
    }

    [Fact]
    public void Without_options_or_variables_the_embedded_file_decides()
    {
        var config = Build(new ClusterNodeOptions());
        Assert.Equal("127.0.0.1", config.GetString($"{Tcp}.hostname"));
        Assert.Equal(0, config.GetInt($"{Tcp}.port"));
        Assert.Equal(128000, config.GetByteSize($"{Tcp}.maximum-frame-size"));
        Assert.Empty(config.GetStringList("akka.cluster.seed-nodes", []));
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", config.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-oldest", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("", config.GetString("akka.cluster.split-brain-resolver.keep-oldest.role"));
        Assert.True(config.GetBoolean("akka.cluster.split-brain-resolver.keep-oldest.down-if-alone"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal("disttrainer-hyperion",
            config.GetString("akka.actor.serialization-bindings.\"DistTrainer.Cluster.Protocol.IProtocolMessage, DistTrainer.Cluster\""));
        Assert.Equal(["DistTrainer.Cluster.Logging.SerilogLoggerActor, DistTrainer.Cluster"], config.GetStringList("akka.loggers"));
    }

    private static readonly (string, string)[] AllVariables =
    [
        (ClusterConfigBuilder.HostnameVariable, "0.0.0.0"),
        (ClusterConfigBuilder.PortVariable, "4053"),
        (ClusterConfigBuilder.PublicHostnameVariable, "worker-1"),
        (ClusterConfigBuilder.SeedNodesVariable, " akka.tcp://disttrainer@coordinator:4053 ,akka.tcp://disttrainer@10.0.0.2:4054,"),
    ];

    [Fact]
    public void Variables_override_the_file()
    {
        var config = Build(new ClusterNodeOptions(), AllVariables);
        Assert.Equal("0.0.0.0", config.GetString($"{Tcp}.hostname"));
        Assert.Equal(4053, config.GetInt($"{Tcp}.port"));
        Assert.Equal("worker-1", config.GetString($"{Tcp}.public-hostname"));
        Assert.Equal(["akka.tcp://disttrainer@coordinator:4053", "akka.tcp://disttrainer@10.0.0.2:4054"],
            config.GetStringList("akka.cluster.seed-nodes"));
    }

    [Fact]
    public void Options_override_variables()
    {
        var options = new ClusterNodeOptions(Hostname: "10.1.1.1", Port: 0, PublicHostname: "node.example",
            SeedNodes: ["akka.tcp://disttrainer@[::1]:2551"], Roles: [ClusterRoles.Worker, "gpu"]);
        var config = Build(options, AllVariables);
        Assert.Equal("10.1.1.1", config.GetString($"{Tcp}.hostname"));
        Assert.Equal(0, config.GetInt($"{Tcp}.port"));
        Assert.Equal("node.example", config.GetString($"{Tcp}.public-hostname"));
        Assert.Equal(["akka.tcp://disttrainer@[::1]:2551"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(["worker", "gpu"], config.GetStringList("akka.cluster.roles"));
    }

    [Fact]
    public void With_TLS_the_transport_encrypts_and_every_seed_is_addressed_with_the_TLS_scheme()
    {
        var tls = new TestCertificates().Node("worker-1");
        var config = Build(new ClusterNodeOptions(SeedNodes: ["akka.tcp://disttrainer@coordinator:4053"], Tls: tls),
            (ClusterConfigBuilder.SeedNodesVariable, "akka.tcp://disttrainer@ignored:1"));
        Assert.True(config.GetBoolean($"{Tcp}.enable-ssl"));
        Assert.Equal(["akka.ssl.tcp://disttrainer@coordinator:4053"], config.GetStringList("akka.cluster.seed-nodes"));

        var fromVariable = Build(new ClusterNodeOptions(Tls: tls), (ClusterConfigBuilder.SeedNodesVariable, "akka.tcp://disttrainer@a:1"));
        Assert.Equal(["akka.ssl.tcp://disttrainer@a:1"], fromVariable.GetStringList("akka.cluster.seed-nodes"));
        Assert.False(Build(new ClusterNodeOptions()).GetBoolean($"{Tcp}.enable-ssl"));
    }

    [Fact]
    public void Blank_variables_count_as_unset()
    {
        var config = Build(new ClusterNodeOptions(), (ClusterConfigBuilder.HostnameVariable, " "), (ClusterConfigBuilder.PortVariable, ""));
        Assert.Equal("127.0.0.1", config.GetString($"{Tcp}.hostname"));
        Assert.Equal(0, config.GetInt($"{Tcp}.port"));
    }

    [Theory]
    [InlineData("DISTTRAINER_PORT", "http", "DISTTRAINER_PORT: 'http' is not an integer")]
    [InlineData("DISTTRAINER_PORT", "70000", "DISTTRAINER_PORT: 70000 is not a port number (0-65535)")]
    [InlineData("DISTTRAINER_SEED_NODES", "akka.tcp://disttrainer@a:1,akka.tcp://other@b:2",
        "DISTTRAINER_SEED_NODES: seed node 'akka.tcp://other@b:2': actor system 'other' is not 'disttrainer'")]
    public void Bad_variables_are_named(string variable, string value, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => Build(new ClusterNodeOptions(), (variable, value)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Bad_options_are_named()
    {
        Assert.Equal("Port: -1 is not a port number (0-65535)",
            Assert.Throws<InvalidInputException>(() => Build(new ClusterNodeOptions(Port: -1))).Message);
        Assert.Equal("Hostname: 'my host' is not a host name or address",
            Assert.Throws<InvalidInputException>(() => Build(new ClusterNodeOptions(Hostname: "my host"))).Message);
        Assert.Equal("Roles: 'a,b' is not a role name (letters, digits, '-', '_')",
            Assert.Throws<InvalidInputException>(() => Build(new ClusterNodeOptions(Roles: ["a,b"]))).Message);
        Assert.Equal("SeedNodes: seed node 'akka.tcp://disttrainer@host': no port (1-65535)",
            Assert.Throws<InvalidInputException>(() => Build(new ClusterNodeOptions(SeedNodes: ["akka.tcp://disttrainer@host"]))).Message);
    }
}
