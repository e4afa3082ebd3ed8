using System.Diagnostics;
using System.Text.RegularExpressions;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>`train` on its embedded cluster as a real process, stopped by a signal. Every wait is bounded: a run that never gets there is killed with its tree and the test fails.</summary>
public class InterruptTests
{
    // A few seconds on a quiet machine (the embedded workers leave the cluster first); generous for a loaded one.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Sigint_stops_training_between_steps_saves_and_exits_130()
    {
        using var dir = new TempDirectory();
        string saved = Path.Combine(dir.Path, "interrupted.safetensors");
        using var process = StartTrain(dir.Path, saved, sigintIgnored: false);
        var stderr = process.StandardError.ReadToEndAsync();
        await Within(process, LineContaining(process.StandardOutput, " step "), "no step printed", stderr);

        await SendAsync(process, "-INT");
        var rest = process.StandardOutput.ReadToEndAsync();
        await Within(process, process.WaitForExitAsync(), "no exit after SIGINT", stderr);

        Assert.Equal(130, process.ExitCode);
        var interrupted = Regex.Match(await stderr, @"(?m)^interrupted after step (\d+); the weights of that step are in ");
        Assert.True(interrupted.Success, Tail(await stderr));
        Assert.Contains("saved", await rest);
        var (tensors, metadata) = SafeTensorsFile.Read(saved);
        Assert.True(long.Parse(metadata["step"]) > 0);
        // The step sent ahead when the signal came is counted: the summary's steps are those of the weights saved.
        Assert.Equal(interrupted.Groups[1].Value, metadata["step"]);
        Assert.Equal([4, 2], tensors["0.weight"].Shape);
    }

    [Fact]
    public async Task A_run_started_with_sigint_ignored_says_so_and_stops_on_sigterm()
    {
        using var dir = new TempDirectory();
        using var process = StartTrain(dir.Path, Path.Combine(dir.Path, "stopped.safetensors"), sigintIgnored: true);
        var stdout = process.StandardOutput.ReadToEndAsync();
        await Within(process, LineContaining(process.StandardError, "SIGINT is ignored by this process"), "no warning that SIGINT is ignored", stdout);

        await SendAsync(process, "-TERM");
        var stderr = process.StandardError.ReadToEndAsync();
        await Within(process, process.WaitForExitAsync(), "no exit after SIGTERM", stderr);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("Received SIGTERM: stopping after the current step", await stderr);
    }

    /// <summary>
    /// `train` on xor for far more steps than a test waits for. <paramref name="sigintIgnored"/>: started as a shell
    /// without job control starts a background job, SIGINT ignored from the start.
    /// </summary>
    private static Process StartTrain(string workingDirectory, string saved, bool sigintIgnored)
    {
        var start = new ProcessStartInfo(sigintIgnored ? "/bin/sh" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (sigintIgnored)
            foreach (var a in new[] { "-c", "trap '' INT; exec dotnet \"$@\"", "sh" })
                start.ArgumentList.Add(a);
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "DistTrainer.Coordinator.dll"), "train", "--dataset", "xor",
                     "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits", "--batch-size", "full",
                     "--steps", "100000000", "--device", "cpu", "--save", saved })
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    private static async Task LineContaining(StreamReader reader, string text)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null && !line.Contains(text)) { }
        Assert.NotNull(line);
    }

    private static async Task SendAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for <paramref name="task"/> at most <see cref="Bound"/>; past it, kills the run and fails with what it wrote on <paramref name="other"/>.</summary>
    private static async Task Within(Process process, Task task, string failure, Task<string> other)
    {
        try
        {
            await task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{failure} within {Bound.TotalSeconds:F0} s; its other stream ended with:\n{Tail(await other)}");
        }
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));
}
