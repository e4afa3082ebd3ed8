using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>
/// The backend contract on a real GPU, where the GEMM runs in shared-memory tiles and the math is the
/// device's own. Reported as skipped, with the reason, on machines where ILGPU finds no GPU.
/// </summary>
[RequiresGpu]
public sealed class IlgpuGpuContractTests(GpuFixture gpu) : IlgpuBackendContract(gpu.Backend), IClassFixture<GpuFixture>;
