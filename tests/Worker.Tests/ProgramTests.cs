using System.Diagnostics;
using Xunit;

namespace DistTrainer.Worker.Tests;

/// <summary>The Worker program's exit codes: 2 bad options, 1 gave up (no coordinator, or it could not start), 130 stopped by a signal.</summary>
public class ProgramTests
{
    // Nothing listens on port 1: a worker seeded there never finds a coordinator.
    private const string Nowhere = "akka.tcp://disttrainer@127.0.0.1:1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("error: --device: unknown device 'gpu'; expected auto, cpu or ilgpu", "worker", "--seed-nodes", Nowhere, "--device", "gpu")]
    [InlineData("error: 'train': unknown command", "train")]
    [InlineData("error: --hostname: '0.0.0.0' is not a loopback address, and off loopback a node runs only with TLS",
        "worker", "--seed-nodes", Nowhere, "--hostname", "0.0.0.0")]
    public async Task Bad_options_exit_2_with_one_line_and_no_stack_trace(string message, params string[] args)
    {
        using var worker = new WorkerProcess(null, args);

        Assert.Equal(2, await worker.WaitForExitAsync(Timeout));
        Assert.StartsWith(message, Assert.Single(worker.Stderr));
    }

    [Fact]
    public async Task A_bad_cluster_variable_is_bad_input_naming_the_variable()
    {
        using var worker = new WorkerProcess(new Dictionary<string, string> { ["DISTTRAINER_SEED_NODES"] = Nowhere, ["DISTTRAINER_PORT"] = "http" },
            "worker", "--log-dir", "logs");

        Assert.Equal(2, await worker.WaitForExitAsync(Timeout));
        Assert.Equal("error: DISTTRAINER_PORT: 'http' is not an integer", Assert.Single(worker.Stderr));
    }

    [Fact]
    public async Task A_worker_no_coordinator_accepts_gives_up_after_its_registration_timeout_and_exits_1()
    {
        var clock = Stopwatch.StartNew();
        using var worker = new WorkerProcess(null, "worker", "--seed-nodes", Nowhere, "--hostname", "127.0.0.1", "--registration-timeout", "2");

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        Assert.Contains(worker.Stderr, line => line.Contains("stops: no coordinator accepted this worker within 2 s"));
    }

    [Fact]
    public async Task A_worker_that_cannot_listen_on_its_port_gives_up_at_once_with_one_line_and_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        using var worker = new WorkerProcess(null, "worker", "--seed-nodes", Nowhere, "--hostname", "127.0.0.1", "--port", port.ToString());

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        Assert.Contains($"error: cannot listen on 127.0.0.1:{port}: Address already in use", worker.Stderr);
    }

    [Fact]
    public async Task An_insecure_worker_off_loopback_starts_and_says_so_in_its_first_line()
    {
        using var worker = new WorkerProcess(null, "worker", "--seed-nodes", Nowhere, "--hostname", "0.0.0.0", "--insecure",
            "--registration-timeout", "2");

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("--insecure: this node runs without TLS on 0.0.0.0", worker.Stderr.First());
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_makes_the_worker_leave_and_exit_130(string signal)
    {
        using var worker = new WorkerProcess(new Dictionary<string, string> { ["DISTTRAINER_SEED_NODES"] = Nowhere },
            "worker", "--hostname", "127.0.0.1");
        await worker.WaitForStderrAsync("joining through", Timeout);

        using (var kill = Process.Start("kill", [$"-{signal}", worker.Id.ToString()])) await kill.WaitForExitAsync();

        Assert.Equal(130, await worker.WaitForExitAsync(Timeout));
        Assert.Contains(worker.Stderr, line => line.Contains($"Received SIG{signal}: leaving the cluster"));
    }
}
