using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Compute.Reference;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class CpuBackendTests
{
    [Fact]
    public void Upload_fill_copy_and_download_move_the_values()
    {
        using var backend = new CpuBackend(1);
        using var a = backend.Allocate(5);
        using var b = backend.Allocate(5);
        var result = new float[5];

        backend.Upload([1, 2, 3, 4, 5], a.All);
        backend.Fill(b.Slice(3, 2), 7);
        backend.Copy(a.Slice(1, 3), b.Slice(0, 3));
        backend.Download(b.All, result);

        Assert.Equal([2, 3, 4, 7, 7], result);
        Assert.Equal([3f, 4f], CpuBackend.View(a.Slice(2, 2)).ToArray());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(130, 33)]
    public void Add_row_vector_and_multiply_match_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows);
        var matrix = pair.Random(rows * cols);
        var vector = pair.Random(cols);
        var other = pair.Random(rows * cols);
        var product = pair.Zeros(rows * cols);

        pair.Subject.AddRowVector(matrix.Subject, rows, cols, vector.Subject);
        pair.Reference.AddRowVector(matrix.Reference, rows, cols, vector.Reference);
        pair.Subject.Multiply(matrix.Subject, other.Subject, product.Subject);
        pair.Reference.Multiply(matrix.Reference, other.Reference, product.Reference);

        Tolerance.Close(matrix.ReferenceValues, matrix.SubjectValues);
        Tolerance.Close(product.ReferenceValues, product.SubjectValues);
    }

    [Fact]
    public void Mismatched_lengths_and_foreign_slices_are_refused()
    {
        using var backend = new CpuBackend(1);
        using var a = backend.Allocate(4);
        using var b = backend.Allocate(3);
        using var foreign = new ReferenceBackend().Allocate(4);

        Assert.Throws<ArgumentException>(() => backend.Copy(a.All, b.All));
        Assert.Throws<ArgumentException>(() => backend.Multiply(a.All, a.All, b.All));
        Assert.Throws<ArgumentException>(() => backend.SumRows(b.All, 2, 2, a.All));
        Assert.Throws<ArgumentException>(() => backend.Fill(foreign.All, 1));
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
