using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>
/// The backend contract on ILGPU's CPU accelerator, which runs the kernels as .NET code on any machine:
/// the GPU code paths, checked where no GPU is, with the GEMM one thread per output.
/// </summary>
public sealed class IlgpuCpuSimulatorContractTests(CpuSimulatorFixture fixture)
    : IlgpuBackendContract(fixture.Backend), IClassFixture<CpuSimulatorFixture>;
