using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>A run that goes well says nothing alarming: what a user reads on stderr at the end of a good run is what they trust.</summary>
public sealed class CleanExitTests
{
    [Fact]
    public void A_run_on_the_embedded_cluster_that_ends_well_prints_no_warning_no_error_and_no_stack_trace()
    {
        using var dir = new TempDirectory();
        var outcome = CliProcess.Run("train", "--dataset", "fashion-mnist", "--train-samples", "1024", "--test-samples", "256",
            "--epochs", "1", "--workers", "2", "--log-dir", dir.Path);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("done: 8 steps", outcome.Stdout);
        Assert.DoesNotContain(" WRN]", outcome.Stderr);
        Assert.DoesNotContain(" ERR]", outcome.Stderr);
        Assert.DoesNotContain("   at ", outcome.Stderr);
        // Akka's own actors (under /system) may drop gossip while the nodes leave; a message to one of ours (under /user)
        // lost in a good run would be a report nobody read, or one the log makes look like a crash.
        string[] lost = [.. Directory.GetFiles(dir.Path, "*.json").SelectMany(File.ReadLines)
            .Where(line => line.Contains("dead letters encountered", StringComparison.Ordinal) && line.Contains("/user/", StringComparison.Ordinal))];
        Assert.True(lost.Length == 0, $"messages to the run's actors were not delivered:\n{string.Join('\n', lost)}");
    }
}
