using System.Diagnostics;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

public class InterruptTests
{
    [Fact]
    public async Task Sigint_stops_training_between_steps_saves_and_exits_130()
    {
        using var dir = new TempDirectory();
        string saved = Path.Combine(dir.Path, "interrupted.safetensors");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir.Path,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "DistTrainer.Coordinator.dll"), "train", "--dataset", "xor",
                     "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits", "--batch-size", "full",
                     "--steps", "100000000", "--device", "cpu", "--save", saved })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains(" step ")) { }
        Assert.NotNull(line);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) await kill.WaitForExitAsync();
        var rest = process.StandardOutput.ReadToEndAsync();
        // A few seconds on a quiet machine (the embedded workers leave the cluster first); generous for a loaded one.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"no exit within 90 s of SIGINT; its output ended with:\n{Tail(await rest)}\nits log ended with:\n{Tail(await stderr)}");
        }

        Assert.Equal(130, process.ExitCode);
        Assert.Matches(@"(?m)^interrupted after step \d+; the weights of that step are in ", await stderr);
        Assert.Contains("saved", await rest);
        var (tensors, metadata) = SafeTensorsFile.Read(saved);
        Assert.True(long.Parse(metadata["step"]) > 0);
        Assert.Equal([4, 2], tensors["0.weight"].Shape);
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));
}
