using DistTrainer.Core.Compute.Cpu;

namespace DistTrainer.Core.Tests.Compute.Cpu;

/// <summary>The CPU backend under test (two threads unless one is given) beside the reference.</summary>
internal static class CpuComparison
{
    public static BackendComparison Create(int seed = 1, CpuBackend? cpu = null) =>
        new(cpu ?? new CpuBackend(2), seed, ownsSubject: true);
}
