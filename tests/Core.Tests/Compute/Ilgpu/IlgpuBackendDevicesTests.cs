using DistTrainer.Core.Compute.Ilgpu;
using ILGPU.Runtime;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

public sealed class IlgpuBackendDevicesTests
{
    [Fact]
    public void CreateCpuSimulator_RunsOnIlgpusCpuAccelerator()
    {
        using var backend = IlgpuBackend.CreateCpuSimulator();
        Assert.Equal(AcceleratorType.CPU, backend.AcceleratorType);
        Assert.Contains(backend.AcceleratorName, backend.Name);
    }

    [Fact]
    public void TryCreate_ReturnsOnlyTheDeviceTypeAskedFor()
    {
        using var cuda = IlgpuBackend.TryCreateCuda();
        using var openCl = IlgpuBackend.TryCreateOpenClGpu();
        Assert.True(cuda is null || cuda.AcceleratorType == AcceleratorType.Cuda, cuda?.Name);
        Assert.True(openCl is null || openCl.AcceleratorType == AcceleratorType.OpenCL, openCl?.Name);
    }

    [Fact]
    public void CreatePreferred_TakesCudaThenAnOpenClGpuThenTheCpuSimulator()
    {
        AcceleratorType expected;
        using (var cuda = IlgpuBackend.TryCreateCuda())
        using (var openCl = IlgpuBackend.TryCreateOpenClGpu())
            expected = cuda?.AcceleratorType ?? openCl?.AcceleratorType ?? AcceleratorType.CPU;

        using var preferred = IlgpuBackend.CreatePreferred();
        Assert.Equal(expected, preferred.AcceleratorType);
    }

    [Fact]
    public void AnArrayDisposedAfterItsBackend_DoesNotThrow()
    {
        var backend = IlgpuBackend.CreateCpuSimulator();
        var array = backend.Allocate(4);
        backend.Dispose();
        array.Dispose();
        backend.Dispose();
    }
}
