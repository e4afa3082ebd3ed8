using DistTrainer.Core.Compute.Ilgpu;
using ILGPU.Runtime.CPU;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu.Kernels;

/// <summary>
/// Every GEMM kernel the backend can pick, run on ILGPU's CPU accelerator against the reference:
/// shapes are odd, so every tile has a ragged edge.
/// </summary>
public sealed class GemmKernelsTests(GemmKernelsTests.Backends backends) : IClassFixture<GemmKernelsTests.Backends>
{
    public enum Kernel { OneThreadPerOutput, Tiles4, Tiles16 }

    /// <summary>A backend per kernel; 16x16 tiles need a simulated device with 256 threads per group.</summary>
    public sealed class Backends : IDisposable
    {
        private readonly Dictionary<Kernel, IlgpuBackend> _byKernel = new()
        {
            [Kernel.OneThreadPerOutput] = IlgpuBackend.CreateCpuSimulator(CPUDevice.Default, GemmKernelChoice.OneThreadPerOutput),
            [Kernel.Tiles4] = IlgpuBackend.CreateCpuSimulator(CPUDevice.Default, GemmKernelChoice.SharedMemoryTiles),
            [Kernel.Tiles16] = IlgpuBackend.CreateCpuSimulator(
                new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1),
                GemmKernelChoice.SharedMemoryTiles),
        };

        public IlgpuBackend this[Kernel kernel] => _byKernel[kernel];

        public void Dispose()
        {
            foreach (var backend in _byKernel.Values) backend.Dispose();
        }
    }

    public static TheoryData<Kernel, bool, bool> Cases()
    {
        var cases = new TheoryData<Kernel, bool, bool>();
        foreach (var kernel in Enum.GetValues<Kernel>())
            foreach (bool transposeA in new[] { false, true })
                foreach (bool transposeB in new[] { false, true })
                    cases.Add(kernel, transposeA, transposeB);
        return cases;
    }

    [Theory]
    [InlineData(Kernel.OneThreadPerOutput, "one thread per output")]
    [InlineData(Kernel.Tiles4, "4x4 shared-memory tiles")]
    [InlineData(Kernel.Tiles16, "16x16 shared-memory tiles")]
    public void The_tile_fits_the_device(Kernel kernel, string description) =>
        Assert.Equal(description, backends[kernel].GemmKernel);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gemm_accumulates_into_c_as_the_reference_does(Kernel kernel, bool transposeA, bool transposeB)
    {
        // 16x16 tiles on the simulator run 256 threads per group: a smaller product keeps it quick.
        var (m, n, k) = kernel == Kernel.Tiles16 ? (19, 17, 21) : (37, 29, 33);
        using var both = new BackendComparison(backends[kernel]);
        var a = both.Of(BackendComparison.RandomValues(m * k, 1));
        var b = both.Of(BackendComparison.RandomValues(k * n, 2));
        var c = both.Of(BackendComparison.RandomValues(m * n, 3));
        both.Reference.Gemm(transposeA, transposeB, m, n, k, 0.75f, a.Reference, b.Reference, 0.5f, c.Reference);
        both.Subject.Gemm(transposeA, transposeB, m, n, k, 0.75f, a.Subject, b.Subject, 0.5f, c.Subject);
        both.AssertClose(c);
    }

    [Theory]
    [InlineData(Kernel.OneThreadPerOutput)]
    [InlineData(Kernel.Tiles4)]
    [InlineData(Kernel.Tiles16)]
    public void Gemm_with_beta_zero_ignores_NaN_in_c(Kernel kernel)
    {
        const int m = 5, n = 3, k = 7;
        using var both = new BackendComparison(backends[kernel]);
        var a = both.Of(BackendComparison.RandomValues(m * k, 4));
        var b = both.Of(BackendComparison.RandomValues(k * n, 5));
        var c = both.Of(Enumerable.Repeat(float.NaN, m * n).ToArray());
        both.Reference.Gemm(false, true, m, n, k, 1.5f, a.Reference, b.Reference, 0f, c.Reference);
        both.Subject.Gemm(false, true, m, n, k, 1.5f, a.Subject, b.Subject, 0f, c.Subject);
        both.AssertClose(c);
    }
}
