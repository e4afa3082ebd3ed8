using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Ilgpu;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>
/// What the ILGPU backend does beyond the contract <see cref="IlgpuCpuSimulatorContractTests"/> runs: its
/// GEMM kernel choice, its scratch buffer, its early return before launching an empty kernel, and the
/// operand it names when a slice is not its own.
/// </summary>
public sealed class IlgpuBackendTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>, IDisposable
{
    private const int Rows = 7;
    private const int Cols = 13;

    private readonly BackendComparison _both = new(fixture.Backend);

    private IlgpuBackend Backend => fixture.Backend;

    public void Dispose() => _both.Dispose();

    [Fact]
    public void The_cpu_simulator_runs_the_one_thread_per_output_gemm()
    {
        Assert.Equal("one thread per output", Backend.GemmKernel);
        Assert.Contains("CPU", Backend.Name);
    }

    [Fact]
    public void Loss_reuses_its_scratch_buffer_once_the_largest_call_has_been_seen()
    {
        var output = _both.Of(BackendComparison.RandomValues(Rows * Cols, 22, -4f, 4f));
        var targets = _both.Of(BackendComparison.RandomValues(Rows * Cols, 23, -4f, 4f));
        var grad = _both.Zeros(Rows * Cols);
        Backend.Loss(LossKind.Mse, output.Subject, targets.Subject, Rows, Cols, 1f, grad.Subject);
        long capacity = Backend.ScratchCapacity;
        Assert.True(capacity >= Rows * Cols);

        for (int i = 0; i < 3; i++)
        {
            Backend.Loss(LossKind.Mse, output.Subject, targets.Subject, Rows, Cols, 1f, grad.Subject);
            Backend.Loss(LossKind.Mse, output.Subject, targets.Subject, Rows - 2, Cols, 1f, grad.Subject);
        }
        Assert.Equal(capacity, Backend.ScratchCapacity);
    }

    [Fact]
    public void Empty_shapes_launch_nothing_and_check_no_operand()
    {
        var x = _both.Of([3f]);

        Backend.Gemm(false, false, 0, 4, 3, 1f, x.Subject, x.Subject, 0f, x.Subject);
        Backend.SoftmaxForward(x.Subject, x.Subject, 0, 1);

        Assert.Equal(0, Backend.Loss(LossKind.Mse, x.Subject, x.Subject, 0, 1, 1f, x.Subject));
        Assert.Equal([3f], _both.DownloadSubject(x.Subject));
    }

    [Fact]
    public void A_slice_of_another_backend_is_refused_naming_the_operand()
    {
        using var reference = _both.Reference.Allocate(4);
        using var own = Backend.Allocate(4);

        var error = Assert.Throws<ArgumentException>(() => Backend.Multiply(reference.All, own.All, own.All));
        Assert.Equal("a", error.ParamName);
    }
}
