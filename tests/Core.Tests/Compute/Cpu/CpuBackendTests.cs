using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

/// <summary>
/// What the CPU backend does beyond the contract <see cref="CpuBackendContractTests"/> runs: its threads,
/// its view of an array, and the checks only it makes.
/// </summary>
public sealed class CpuBackendTests
{
    [Fact]
    public void View_is_the_slice_of_the_arrays_own_memory()
    {
        using var backend = new CpuBackend(1);
        using var a = backend.Allocate(5);

        backend.Upload([1, 2, 3, 4, 5], a.All);

        Assert.Equal([3f, 4f], CpuBackend.View(a.Slice(2, 2)).ToArray());
    }

    [Fact]
    public void Multiply_refuses_operands_longer_than_the_result()
    {
        using var backend = new CpuBackend(1);
        using var a = backend.Allocate(4);
        using var b = backend.Allocate(3);

        Assert.Throws<ArgumentException>(() => backend.Multiply(a.All, a.All, b.All));
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused()
    {
        using var pair = CpuComparison.Create();
        var output = pair.Random(6);
        var grad = pair.Zeros(6);

        var error = Assert.Throws<ArgumentException>(() =>
            pair.Subject.Loss(LossKind.CrossEntropy, output.Subject, pair.Of([1, 3]).Subject, 2, 3, 1, grad.Subject));
        Assert.Contains("target 3 of row 1", error.Message);
    }

    [Fact]
    public void Zero_threads_means_one_per_processor_and_negative_is_refused()
    {
        using var backend = new CpuBackend();

        Assert.Equal(Environment.ProcessorCount, backend.Threads);
        var error = Assert.Throws<InvalidInputException>(() => new CpuBackend(-1));
        Assert.Contains("CPU threads", error.Message);
    }
}
