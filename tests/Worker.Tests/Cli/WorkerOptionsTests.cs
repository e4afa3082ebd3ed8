using DistTrainer.Cluster.Hosting;
using DistTrainer.Core;
using DistTrainer.Core.Tests;
using DistTrainer.Worker.Cli;
using Xunit;

namespace DistTrainer.Worker.Tests.Cli;

public class WorkerOptionsTests
{
    private const string Seed = "akka.tcp://disttrainer@coordinator:4053";

    private static string? NoVariables(string name) => null;

    [Fact]
    public void Every_option_is_read()
    {
        using var data = new TempDirectory();
        var options = WorkerOptions.Parse(
        [
            "--seed-nodes", $"{Seed}, akka.tcp://disttrainer@backup:4053", "--hostname", "0.0.0.0", "--port", "4060",
            "--public-hostname", "node-b.example", "--worker-id", "gpu-box-1", "--layers", "linear:2:4,tanh,linear:4:1",
            "--data-dir", data.Path, "--device", "cpu", "--threads", "3", "--log-dir", "logs", "--registration-timeout", "30",
            "--metrics-port", "9100",
        ], NoVariables);

        Assert.Equal([Seed, "akka.tcp://disttrainer@backup:4053"], options.SeedNodes);
        var node = options.ClusterNode;
        Assert.Equal(new ClusterNodeOptions("0.0.0.0", 4060, "node-b.example", options.SeedNodes, node.Roles), node);
        Assert.Equal([ClusterRoles.Worker], node.Roles);
        Assert.Equal("logs", options.LogDir);
        Assert.Equal(9100, options.MetricsPort);
        var settings = options.Settings;
        Assert.Equal(("gpu-box-1", "linear:2:4,tanh,linear:4:1", data.Path, "cpu", 3, TimeSpan.FromSeconds(30)),
            (settings.WorkerId, settings.ExpectedLayers, settings.DataDir, settings.Device, settings.Threads, settings.RegistrationTimeout));
    }

    [Fact]
    public void Defaults_leave_the_node_to_the_environment_and_name_the_worker_after_host_and_process()
    {
        var options = WorkerOptions.Parse([], name => name == ClusterConfigBuilder.SeedNodesVariable ? Seed : null);

        var node = options.ClusterNode;
        Assert.Equal(new ClusterNodeOptions(Roles: node.Roles), node);
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", options.WorkerId);
        Assert.Null(options.Layers);
        Assert.Null(options.DataDir);
        Assert.Null(options.LogDir);
        Assert.Equal("auto", options.Device);
        Assert.Equal(0, options.Threads);
        Assert.Equal(TimeSpan.FromSeconds(120), options.RegistrationTimeout);
        Assert.Null(options.MetricsPort);
    }

    [Fact]
    public void Role_ps_makes_a_node_that_only_serves_key_ranges_and_worker_is_the_default()
    {
        Assert.True(WorkerOptions.Parse(["--seed-nodes", Seed, "--role", "ps"], NoVariables).Settings.RangesOnly);
        Assert.False(WorkerOptions.Parse(["--seed-nodes", Seed, "--role", "worker"], NoVariables).Settings.RangesOnly);
        Assert.False(WorkerOptions.Parse(["--seed-nodes", Seed], NoVariables).Settings.RangesOnly);
    }

    [Fact]
    public void A_metrics_port_of_zero_serves_no_metrics() =>
        Assert.Null(WorkerOptions.Parse(["--seed-nodes", Seed, "--metrics-port", "0"], NoVariables).MetricsPort);

    [Theory]
    [InlineData("--seed-nodes: required (or set DISTTRAINER_SEED_NODES)")]
    [InlineData("--seed-nodes: no address given", "--seed-nodes", " , ")]
    [InlineData("--seed-nodes: seed node 'akka.tcp://other@coordinator:4053': actor system 'other'", "--seed-nodes", "akka.tcp://other@coordinator:4053")]
    [InlineData("--seed-nodes: seed node 'coordinator:4053'", "--seed-nodes", "coordinator:4053")]
    [InlineData("--port: 70000 is not a port number (0-65535)", "--seed-nodes", Seed, "--port", "70000")]
    [InlineData("--port: -1 is below the minimum 0", "--seed-nodes", Seed, "--port", "-1")]
    [InlineData("--worker-id: 'a b' is not a worker id", "--seed-nodes", Seed, "--worker-id", "a b")]
    [InlineData("--layers", "--seed-nodes", Seed, "--layers", "linear:784:256,linear:128:10")]
    [InlineData("--data-dir: directory '/nonexistent/fashion' does not exist", "--seed-nodes", Seed, "--data-dir", "/nonexistent/fashion")]
    [InlineData("--device: unknown device 'gpu'; expected auto, cpu or ilgpu", "--seed-nodes", Seed, "--device", "gpu")]
    [InlineData("--threads: -2 is below the minimum 0", "--seed-nodes", Seed, "--threads", "-2")]
    [InlineData("--registration-timeout: 0 is below the minimum 1", "--seed-nodes", Seed, "--registration-timeout", "0")]
    [InlineData("--registration-timeout: 'soon' is not an integer", "--seed-nodes", Seed, "--registration-timeout", "soon")]
    [InlineData("--epochs: unknown option", "--seed-nodes", Seed, "--epochs", "3")]
    [InlineData("--metrics-port: 70000 is not a port number (0-65535)", "--seed-nodes", Seed, "--metrics-port", "70000")]
    [InlineData("--role: 'server'; expected worker (computes shards) or ps (serves key ranges)", "--seed-nodes", Seed, "--role", "server")]
    public void Bad_options_are_refused_naming_the_option(string message, params string[] args)
    {
        var error = Assert.Throws<InvalidInputException>(() => WorkerOptions.Parse(args, NoVariables));

        Assert.StartsWith(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Insecure_is_a_flag_that_reaches_the_cluster_node()
    {
        var options = WorkerOptions.Parse(["--seed-nodes", Seed, "--insecure"], NoVariables);
        Assert.Equal((true, null), (options.ClusterNode.Insecure, options.ClusterNode.Tls));
        Assert.False(WorkerOptions.Parse(["--seed-nodes", Seed], NoVariables).ClusterNode.Insecure);
    }

    [Fact]
    public void TLS_files_given_only_in_part_through_the_environment_are_bad_input_naming_what_is_missing()
    {
        var e = Assert.Throws<InvalidInputException>(() =>
            WorkerOptions.Parse(["--seed-nodes", Seed, "--tls-cert", "w.crt"], name => name == "DISTTRAINER_TLS_CA" ? "ca.crt" : null));
        Assert.Equal("--tls-ca, --tls-cert and --tls-key go together: missing --tls-key (or DISTTRAINER_TLS_KEY)", e.Message);
    }
}
