using DistTrainer.Core.Compute.Cpu;

namespace DistTrainer.Benchmarks;

/// <summary>What a benchmark report says about the machine it ran on.</summary>
public static class MachineInfo
{
    public static string CpuModel()
    {
        const string file = "/proc/cpuinfo";
        if (!File.Exists(file)) return "unknown";
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    /// <summary>
    /// The vector width the CPU backend's kernels run at here: a virtual machine whose host has no AVX-512 runs them at
    /// half the width, so figures from two such machines are not comparable.
    /// </summary>
    public static string VectorBits() => $"{CpuBackend.VectorBits}-bit";

    /// <summary>The 1-, 5- and 15-minute load averages, to tell a disturbed run from a quiet one.</summary>
    public static string LoadAverage()
    {
        const string file = "/proc/loadavg";
        return File.Exists(file) ? string.Join(' ', File.ReadAllText(file).Split(' ').Take(3)) : "unknown";
    }
}
