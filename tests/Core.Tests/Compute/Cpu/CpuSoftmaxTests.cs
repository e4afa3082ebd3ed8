using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class CpuSoftmaxTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(33, 10)]
    [InlineData(130, 33)]
    public void Forward_and_backward_match_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows + cols);
        var x = pair.Random(rows * cols, -20, 20);
        var y = pair.Zeros(rows * cols);
        var dy = pair.Random(rows * cols);
        var dx = pair.Zeros(rows * cols);

        pair.Subject.SoftmaxForward(x.Subject, y.Subject, rows, cols);
        pair.Reference.SoftmaxForward(x.Reference, y.Reference, rows, cols);
        pair.Subject.SoftmaxBackward(y.Subject, dy.Subject, dx.Subject, rows, cols);
        pair.Reference.SoftmaxBackward(y.Reference, dy.Reference, dx.Reference, rows, cols);

        Tolerance.Close(y.ReferenceValues, y.SubjectValues, scale: 1e-3);
        // dy - dot cancels, so dx is only as exact as the row's dot product (about 1e-7 absolute).
        Tolerance.Close(dx.ReferenceValues, dx.SubjectValues, scale: 0.1);
    }

    [Fact]
    public void Large_logits_do_not_overflow()
    {
        using var pair = CpuComparison.Create();
        var x = pair.Of([1000, 1000, 999]);
        var y = pair.Zeros(3);

        pair.Subject.SoftmaxForward(x.Subject, y.Subject, 1, 3);

        float e = MathF.Exp(-1);
        Assert.Equal([1 / (2 + e), 1 / (2 + e), e / (2 + e)], y.SubjectValues, (a, b) => MathF.Abs(a - b) < 1e-6f);
    }
}
