using DistTrainer.Core.Compute;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class CpuLossesTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(33, 10)]
    [InlineData(130, 10)]
    public void Cross_entropy_matches_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows * cols);
        var random = new Random(rows);
        var output = pair.Random(rows * cols, -30, 30);
        var targets = pair.Of(Enumerable.Range(0, rows).Select(_ => (float)random.Next(cols)).ToArray());

        Compare(pair, LossKind.CrossEntropy, output, targets, rows, cols);
    }

    [Theory]
    [InlineData(LossKind.BceWithLogits, -8, 8)]
    [InlineData(LossKind.Bce, 0.001f, 0.999f)]
    [InlineData(LossKind.Mse, -3, 3)]
    [InlineData(LossKind.Mae, -3, 3)]
    public void Element_wise_losses_match_the_reference(LossKind kind, float low, float high)
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 17), (130, 1), (128, 10) })
        {
            using var pair = CpuComparison.Create(rows * cols);
            var output = pair.Random(rows * cols, low, high);
            var targets = pair.Random(rows * cols, 0, 1);

            Compare(pair, kind, output, targets, rows, cols);
        }
    }

    [Fact]
    public void Bce_clamps_the_log_of_zero_at_minus_100()
    {
        using var pair = CpuComparison.Create();
        var output = pair.Of([0, 1]);
        var targets = pair.Of([1, 0]);
        var grad = pair.Zeros(2);

        double loss = pair.Subject.Loss(LossKind.Bce, output.Subject, targets.Subject, 2, 1, 1, grad.Subject);

        Assert.Equal(200, loss);
    }

    [Fact]
    public void Mae_gradient_of_an_exact_match_is_zero()
    {
        using var pair = CpuComparison.Create();
        var output = pair.Of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var targets = pair.Of([1, 3, 2, 4, 5, 6, 7, 8, 9, 11]);
        var grad = pair.Zeros(10);

        pair.Subject.Loss(LossKind.Mae, output.Subject, targets.Subject, 10, 1, 1, grad.Subject);

        Assert.Equal([0, -1, 1, 0, 0, 0, 0, 0, 0, -1], grad.SubjectValues);
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

    private static void Compare(BackendComparison pair, LossKind kind, BackendComparison.Pair output, BackendComparison.Pair targets, int rows, int cols)
    {
        var grad = pair.Zeros(rows * cols);
        double cpu = pair.Subject.Loss(kind, output.Subject, targets.Subject, rows, cols, 0.25f, grad.Subject);
        double reference = pair.Reference.Loss(kind, output.Reference, targets.Reference, rows, cols, 0.25f, grad.Reference);

        Assert.True(Math.Abs(cpu - reference) <= 1e-5 * (Math.Abs(reference) + 1), $"{kind}: loss {cpu}, reference {reference}");
        Tolerance.Close(grad.ReferenceValues, grad.SubjectValues, scale: 1e-2);
    }
}
