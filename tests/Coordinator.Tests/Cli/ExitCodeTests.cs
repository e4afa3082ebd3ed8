using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>Endings that are not the model's fault have codes of their own, so that a script does not read them as divergence (3).</summary>
public sealed class ExitCodeTests
{
    [Fact]
    public void A_coordinator_no_worker_joins_exits_4_saying_so()
    {
        var outcome = CliProcess.Run("coordinator", "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits",
            "--device", "cpu", "--expect-workers", "1", "--worker-timeout", "1", "--hostname", "127.0.0.1", "--port", "0", "--data-plane-port", "0");

        Assert.Equal(4, outcome.ExitCode);
        Assert.Contains("error: training stopped: only 0 of 1 workers were ready within 1 s", outcome.Stderr);
    }

    /// <summary>The file may be the run's own newest checkpoint (a coordinator started again with the same command): a run that applied no step leaves it alone.</summary>
    [Fact]
    public void A_coordinator_that_applied_no_step_leaves_its_save_file_as_it_was()
    {
        using var dir = new TempDirectory();
        string save = dir.Write("model.safetensors", [1, 2, 3]);

        var outcome = CliProcess.Run("coordinator", "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits",
            "--device", "cpu", "--expect-workers", "1", "--worker-timeout", "1", "--hostname", "127.0.0.1", "--port", "0", "--data-plane-port", "0",
            "--save", save);

        Assert.Equal(4, outcome.ExitCode);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(save));
        Assert.DoesNotContain("saved", outcome.Stdout);
    }

    [Fact]
    public void A_periodic_checkpoint_that_cannot_be_written_exits_5_after_its_retries()
    {
        using var dir = new TempDirectory();
        string unwritable = Path.Combine(dir.Write("not-a-directory", [1]), "model.safetensors");

        var outcome = CliProcess.Run("train", "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits",
            "--batch-size", "full", "--steps", "20", "--device", "cpu", "--workers", "0", "--save", unwritable, "--checkpoint-every", "5");

        Assert.Equal(5, outcome.ExitCode);
        Assert.Contains($"error: training stopped: checkpoint {unwritable} of step 5 could not be written (4 attempts): ", outcome.Stderr);
        Assert.DoesNotContain("saved", outcome.Stdout);
    }
}
