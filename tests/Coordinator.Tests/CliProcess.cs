using System.Diagnostics;
using DistTrainer.Core.Tests;

namespace DistTrainer.Coordinator.Tests;

/// <summary>Runs the real Coordinator program as a child process, as a user would, and captures what it prints.</summary>
public static class CliProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs in a fresh working directory (removed afterwards), so the run's log files go nowhere else.</summary>
    public static Outcome Run(params string[] args)
    {
        using var workingDirectory = new TempDirectory();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DistTrainer.Coordinator.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"DistTrainer.Coordinator {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }
}
