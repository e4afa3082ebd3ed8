using System.Collections.Concurrent;
using System.Diagnostics;
using DistTrainer.Core.Tests;

namespace DistTrainer.Worker.Tests;

/// <summary>
/// The real Worker program as a child process in a fresh working directory (its log files go
/// there), with its own environment: no DISTTRAINER_* variable leaks in from the test run.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Task<string> _stdout;

    public WorkerProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory.Path,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DISTTRAINER_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DistTrainer.Worker.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) _stderr.Enqueue(e.Data);
        };
        _process.BeginErrorReadLine();
        _stdout = _process.StandardOutput.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public IReadOnlyCollection<string> Stderr => _stderr;

    /// <summary>Waits until a line of stderr contains <paramref name="text"/>.</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_stderr.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
                throw new TimeoutException($"the worker did not write '{text}' within {timeout}; stderr:\n{string.Join('\n', _stderr)}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        await _stdout;
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _directory.Dispose();
    }
}
