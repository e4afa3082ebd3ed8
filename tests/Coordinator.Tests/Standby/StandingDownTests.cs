using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Tests;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>
/// A first coordinator that founded its cluster because no other coordinator answered at its start (restarted while a
/// standby was still taking the run over) keeps asking the other coordinators' addresses until its first step, and stands
/// down for one that answers: no step, no file written, and `coordinator` then stands by for that run.
/// </summary>
public sealed class StandingDownTests
{
    [Fact]
    public async Task A_coordinator_that_answers_before_the_first_step_ends_the_run_without_a_step_or_a_file()
    {
        await using var active = ActiveNode.Start();
        active.System.ActorOf(Props.Create(() => new Silent()), ActorNames.Coordinator);
        string address = active.Cluster.SelfAddress.ToString();
        using var dir = new TempDirectory();
        string save = dir.Write("model.safetensors", [1, 2, 3]);
        string summary = Path.Combine(dir.Path, "summary.json");
        var options = TrainArguments.Parse(["--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits",
            "--device", "cpu", "--workers", "0", "--expect-workers", "1", "--worker-timeout", "60", "--hostname", "127.0.0.1",
            "--port", Ports.Free().ToString(), "--data-plane-port", "0", "--save", save, "--summary", summary]);
        string self = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{options.Cluster.Port}";
        options = options with { Cluster = options.Cluster with { SeedNodes = [self], OtherCoordinators = [address] } };
        var output = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        int exit = TrainCommand.Run(options, output, Logger.None);

        Assert.Equal(TrainCommand.Superseded, exit);
        Assert.Contains($"coordinator: a coordinator already trains at {address}; standing by for it", output.ToString());
        // Asked every 2 s (disttrainer.standby.active-probe-interval), well before the 60 s worker timeout.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(save));
        Assert.False(File.Exists(summary));
        Assert.DoesNotContain("saved", output.ToString());
    }

    private sealed class Silent : ReceiveActor;
}
