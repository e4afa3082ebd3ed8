using DistTrainer.Core.Compute;
using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Every loss: the summed value within 1e-5 relative of the reference, the gradient element by element.
public abstract partial class BackendContract
{
    public static TheoryData<int, int> CrossEntropyShapes => new() { { 1, 1 }, { 3, 17 }, { 7, 13 }, { 33, 10 }, { 130, 10 } };

    /// <summary>Each element-wise loss with outputs in the range it is defined on.</summary>
    public static TheoryData<LossKind, float, float> ElementWiseLosses => new()
    {
        { LossKind.BceWithLogits, -8, 8 }, { LossKind.Bce, 0.001f, 0.999f }, { LossKind.Mse, -3, 3 }, { LossKind.Mae, -3, 3 },
    };

    /// <summary>
    /// Below this magnitude a cross-entropy gradient is held to 1e-5 absolute rather than relative: the
    /// label's gradient is p - 1, which cancels and keeps only the absolute precision of p.
    /// </summary>
    private protected virtual double CrossEntropyGradientFloor => 1e-2;

    [ContractTheory]
    [MemberData(nameof(CrossEntropyShapes))]
    public void Cross_entropy_matches_the_reference(int rows, int cols)
    {
        using var both = Compare(rows * cols);
        var random = new Random(rows);
        var output = both.Random(rows * cols, -30, 30);
        var labels = both.Of(Enumerable.Range(0, rows).Select(_ => (float)random.Next(cols)).ToArray());

        AssertLossMatches(both, LossKind.CrossEntropy, output, labels, rows, cols, CrossEntropyGradientFloor);
    }

    [ContractTheory]
    [MemberData(nameof(ElementWiseLosses))]
    public void Element_wise_losses_match_the_reference(LossKind kind, float low, float high)
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 17), (7, 13), (130, 1), (128, 10) })
        {
            using var both = Compare(rows * cols);
            var output = both.Random(rows * cols, low, high);
            var targets = both.Random(rows * cols, 0, 1);

            AssertLossMatches(both, kind, output, targets, rows, cols, gradientFloor: 1e-2);
        }
    }

    private static void AssertLossMatches(BackendComparison both, LossKind kind, BackendComparison.Pair output,
        BackendComparison.Pair targets, int rows, int cols, double gradientFloor)
    {
        var grad = both.Zeros(rows * cols);
        double actual = both.Subject.Loss(kind, output.Subject, targets.Subject, rows, cols, 0.25f, grad.Subject);
        double expected = both.Reference.Loss(kind, output.Reference, targets.Reference, rows, cols, 0.25f, grad.Reference);

        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected),
            $"{kind} {rows}x{cols}: loss {actual:R}, reference {expected:R}");
        both.AssertClose(grad, floor: gradientFloor);
    }
}
