using DistTrainer.Core.Compute;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class CpuDropoutTests
{
    [Theory]
    [InlineData(1, 1, 0, 0.5f)]
    [InlineData(3, 17, 5, 0.3f)]
    [InlineData(33, 37, 128, 0.2f)]
    [InlineData(4, 256, 7, 0f)]
    [InlineData(4, 40, 0, 1f)]
    public void Mask_and_output_match_the_reference(int rows, int cols, int rowOffset, float p)
    {
        using var pair = CpuComparison.Create(rows * cols);
        var x = pair.Random(rows * cols);
        var mask = pair.Zeros(rows * cols);
        var y = pair.Zeros(rows * cols);

        pair.Subject.DropoutForward(x.Subject, rows, cols, rowOffset, p, 1234, mask.Subject, y.Subject);
        pair.Reference.DropoutForward(x.Reference, rows, cols, rowOffset, p, 1234, mask.Reference, y.Reference);

        Assert.Equal(mask.ReferenceValues.Select(v => (float)v), mask.SubjectValues);
        Tolerance.Close(y.ReferenceValues, y.SubjectValues);
    }

    [Fact]
    public void A_shard_draws_its_rows_of_the_whole_batch_mask()
    {
        using var pair = CpuComparison.Create();
        var x = pair.Of(Enumerable.Repeat(1f, 6 * 40).ToArray());
        var wholeMask = pair.Zeros(6 * 40);
        var shardMask = pair.Zeros(2 * 40);
        var y = pair.Zeros(6 * 40);

        pair.Subject.DropoutForward(x.Subject, 6, 40, 0, 0.5f, 99, wholeMask.Subject, y.Subject);
        pair.Subject.DropoutForward(x.Subject.Take(80), 2, 40, 3, 0.5f, 99, shardMask.Subject, y.Subject.Take(80));

        Assert.Equal(wholeMask.SubjectValues[120..200], shardMask.SubjectValues);
        Assert.Contains(0f, shardMask.SubjectValues);
        Assert.Contains(2f, shardMask.SubjectValues);
    }
}
