using DistTrainer.Core.Compute.Ilgpu;
using DistTrainer.Core.Tests.Compute.Contract.Skipping;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>
/// The GPU that ILGPU finds (CUDA, else OpenCL) for a whole test class: creating the accelerator and
/// compiling the kernels takes seconds. Where there is none the class's tests are skipped at discovery,
/// so asking for the backend there is a defect in the tests.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    private readonly IlgpuBackend? _backend = GpuPresence.TryCreateGpu();

    public IlgpuBackend Backend => _backend ?? throw new InvalidOperationException(GpuPresence.Absent);

    public void Dispose() => _backend?.Dispose();
}
