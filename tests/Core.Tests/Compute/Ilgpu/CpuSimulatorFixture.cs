using DistTrainer.Core.Compute.Ilgpu;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>One backend on ILGPU's CPU accelerator for a whole test class: compiling the kernels takes seconds.</summary>
public sealed class CpuSimulatorFixture : IDisposable
{
    public IlgpuBackend Backend { get; } = IlgpuBackend.CreateCpuSimulator();

    public void Dispose() => Backend.Dispose();
}
