using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Runs one of the PyTorch baselines in tools/ with the system python and reads its JSON lines
/// (`{"model": ..., "samples_per_second": ...}`) into samples/s by model. A baseline that cannot run (no python,
/// no torch, a failure) gives no figures and one line on stderr saying why, so the benchmark still reports its own.
/// </summary>
public static class PythonBaseline
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>Runs tools/<paramref name="script"/> with OpenBLAS at <paramref name="blasThreads"/> threads and OpenMP at 1.</summary>
    public static Dictionary<string, double> SamplesPerSecond(string script, int blasThreads, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine("tools", script));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["OPENBLAS_NUM_THREADS"] = blasThreads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_NUM_THREADS"] = "1";
        var results = new Dictionary<string, double>();
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                Console.Error.WriteLine($"PyTorch baseline {script} did not finish within {Limit.TotalMinutes} minutes");
                return results;
            }
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"PyTorch baseline {script} failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
                return results;
            }
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var json = JsonDocument.Parse(line);
                results[json.RootElement.GetProperty("model").GetString()!] = json.RootElement.GetProperty("samples_per_second").GetDouble();
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"PyTorch baseline {script} not run: {e.Message} (install python3-torch and libopenblas0-pthread)");
        }
        return results;
    }
}
