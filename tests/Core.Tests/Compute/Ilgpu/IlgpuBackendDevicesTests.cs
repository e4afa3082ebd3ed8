using DistTrainer.Core.Compute.Ilgpu;
using ILGPU.Runtime;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

public sealed class IlgpuBackendDevicesTests
{
    [Fact]
    public void Create_cpu_simulator_runs_on_ILGPU_cpu_accelerator()
    {
        using var backend = IlgpuBackend.CreateCpuSimulator();
        Assert.Equal(AcceleratorType.CPU, backend.AcceleratorType);
        Assert.Contains(backend.AcceleratorName, backend.Name);
    }

    [Fact]
    public void Try_create_returns_only_the_device_type_asked_for()
    {
        using var cuda = IlgpuBackend.TryCreateCuda();
        using var openCl = IlgpuBackend.TryCreateOpenClGpu();
        Assert.True(cuda is null || cuda.AcceleratorType == AcceleratorType.Cuda, cuda?.Name);
        Assert.True(openCl is null || openCl.AcceleratorType == AcceleratorType.OpenCL, openCl?.Name);
    }

    [Fact]
    public void Create_preferred_takes_cuda_then_an_OpenCL_gpu_then_the_cpu_simulator()
    {
        AcceleratorType expected;
        using (var cuda = IlgpuBackend.TryCreateCuda())
        using (var openCl = IlgpuBackend.TryCreateOpenClGpu())
            expected = cuda?.AcceleratorType ?? openCl?.AcceleratorType ?? AcceleratorType.CPU;

        using var preferred = IlgpuBackend.CreatePreferred();
        Assert.Equal(expected, preferred.AcceleratorType);
    }

    [Fact]
    public void An_array_disposed_after_its_backend_does_not_throw()
    {
        var backend = IlgpuBackend.CreateCpuSimulator();
        var array = backend.Allocate(4);
        backend.Dispose();
        array.Dispose();
        backend.Dispose();
    }
}
