using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Ilgpu;
using DistTrainer.Core.Compute.Reference;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>Every operation on ILGPU's CPU accelerator against <see cref="ReferenceBackend"/>, on odd shapes.</summary>
public sealed class IlgpuBackendTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>, IDisposable
{
    private const int Rows = 7;
    private const int Cols = 13;

    private readonly BackendComparison both = new(fixture.Backend);
    private IlgpuBackend Backend => fixture.Backend;

    public void Dispose() => both.Dispose();

    [Fact]
    public void Allocate_ReturnsZeros()
    {
        using var array = Backend.Allocate(11);
        Assert.All(both.DownloadSubject(array.All), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void EmptyArraysAndSlices_AreAllowed()
    {
        using var empty = Backend.Allocate(0);
        using var array = Backend.Allocate(3);
        Backend.Upload([], empty.All);
        Backend.Upload([], array.Slice(3, 0));
        Backend.Download(array.Slice(3, 0), []);
        Backend.Copy(empty.All, array.Slice(1, 0));
        Assert.Equal(0, empty.Length);
    }

    [Fact]
    public void UploadAndDownload_RoundTripThroughAnOffsetSlice()
    {
        using var array = Backend.Allocate(10);
        Backend.Upload([1.5f, -2f, 3.25f], array.Slice(4, 3));
        Assert.Equal([0f, 0f, 0f, 0f, 1.5f, -2f, 3.25f, 0f, 0f, 0f], both.DownloadSubject(array.All));
        Assert.Equal([-2f, 3.25f], both.DownloadSubject(array.Slice(5, 2)));
    }

    [Fact]
    public void Fill_WritesOnlyItsSlice()
    {
        using var array = Backend.Allocate(6);
        Backend.Fill(array.Slice(1, 3), 2.5f);
        Assert.Equal([0f, 2.5f, 2.5f, 2.5f, 0f, 0f], both.DownloadSubject(array.All));
    }

    [Fact]
    public void Copy_CopiesBetweenSlices()
    {
        using var array = Backend.Allocate(8);
        Backend.Upload([1f, 2f, 3f], array.Slice(0, 3));
        Backend.Copy(array.Slice(0, 3), array.Slice(5, 3));
        Assert.Equal([1f, 2f, 3f, 0f, 0f, 1f, 2f, 3f], both.DownloadSubject(array.All));
    }

    [Fact]
    public void CpuSimulator_UsesTheOneThreadPerOutputGemm()
    {
        Assert.Equal("one thread per output", Backend.GemmKernel);
        Assert.Contains("CPU", Backend.Name);
    }

    [Fact]
    public void AddRowVector_MatchesReference()
    {
        var matrix = both.Of(BackendComparison.RandomValues(Rows * Cols, 1));
        var vector = both.Of(BackendComparison.RandomValues(Cols, 2));
        both.Reference.AddRowVector(matrix.Reference, Rows, Cols, vector.Reference);
        Backend.AddRowVector(matrix.Subject, Rows, Cols, vector.Subject);
        both.AssertClose(matrix);
    }

    [Fact]
    public void SumRows_MatchesReference()
    {
        var matrix = both.Of(BackendComparison.RandomValues(Rows * Cols, 3));
        var result = both.Zeros(Cols);
        both.Reference.SumRows(matrix.Reference, Rows, Cols, result.Reference);
        Backend.SumRows(matrix.Subject, Rows, Cols, result.Subject);
        both.AssertClose(result);
    }

    public static TheoryData<ActivationKind> ActivationKinds => new(Enum.GetValues<ActivationKind>());

    [Theory]
    [MemberData(nameof(ActivationKinds))]
    public void Activation_ForwardAndBackward_MatchReference(ActivationKind kind)
    {
        var activation = new Activation(kind, Slope: 0.05f);
        // Values near zero exercise the series branch of the device tanh, large ones saturate.
        float[] inputs = [.. BackendComparison.RandomValues(Rows * Cols, 4, -4f, 4f), 0f, 1e-4f, -0.05f, 0.19f, -0.21f, 12f, -30f];
        var x = both.Of(inputs);
        var y = both.Zeros(inputs.Length);
        var dy = both.Of(BackendComparison.RandomValues(inputs.Length, 5));
        var dx = both.Zeros(inputs.Length);

        both.Reference.ActivationForward(activation, x.Reference, y.Reference);
        Backend.ActivationForward(activation, x.Subject, y.Subject);
        both.AssertClose(y);

        both.Reference.ActivationBackward(activation, x.Reference, y.Reference, dy.Reference, dx.Reference);
        Backend.ActivationBackward(activation, x.Subject, y.Subject, dy.Subject, dx.Subject);
        both.AssertClose(dx);
    }

    [Fact]
    public void Softmax_ForwardAndBackward_MatchReference()
    {
        var x = both.Of(BackendComparison.RandomValues(Rows * Cols, 6, -8f, 8f));
        var y = both.Zeros(Rows * Cols);
        var dy = both.Of(BackendComparison.RandomValues(Rows * Cols, 7));
        var dx = both.Zeros(Rows * Cols);

        both.Reference.SoftmaxForward(x.Reference, y.Reference, Rows, Cols);
        Backend.SoftmaxForward(x.Subject, y.Subject, Rows, Cols);
        both.AssertClose(y);

        both.Reference.SoftmaxBackward(y.Reference, dy.Reference, dx.Reference, Rows, Cols);
        Backend.SoftmaxBackward(y.Subject, dy.Subject, dx.Subject, Rows, Cols);
        both.AssertClose(dx);
    }

    [Fact]
    public void BatchNorm_StatisticsForwardAndBackward_MatchReference()
    {
        const float eps = 1e-5f;
        var x = both.Of(BackendComparison.RandomValues(Rows * Cols, 8, -3f, 5f));
        var mean = both.Zeros(Cols);
        var variance = both.Zeros(Cols);
        var gamma = both.Of(BackendComparison.RandomValues(Cols, 9, 0.5f, 1.5f));
        var beta = both.Of(BackendComparison.RandomValues(Cols, 10));
        var xHat = both.Zeros(Rows * Cols);
        var y = both.Zeros(Rows * Cols);
        var dy = both.Of(BackendComparison.RandomValues(Rows * Cols, 11));
        var dGamma = both.Zeros(Cols);
        var dBeta = both.Zeros(Cols);
        var dx = both.Zeros(Rows * Cols);

        both.Reference.ColumnMeanVariance(x.Reference, Rows, Cols, mean.Reference, variance.Reference);
        Backend.ColumnMeanVariance(x.Subject, Rows, Cols, mean.Subject, variance.Subject);
        both.AssertClose(mean);
        both.AssertClose(variance);

        both.Reference.BatchNormForward(x.Reference, Rows, Cols, mean.Reference, variance.Reference, eps,
            gamma.Reference, beta.Reference, xHat.Reference, y.Reference);
        Backend.BatchNormForward(x.Subject, Rows, Cols, mean.Subject, variance.Subject, eps,
            gamma.Subject, beta.Subject, xHat.Subject, y.Subject);
        both.AssertClose(xHat);
        both.AssertClose(y);

        both.Reference.BatchNormBackwardReduce(dy.Reference, xHat.Reference, Rows, Cols, dGamma.Reference, dBeta.Reference);
        Backend.BatchNormBackwardReduce(dy.Subject, xHat.Subject, Rows, Cols, dGamma.Subject, dBeta.Subject);
        both.AssertClose(dGamma);
        both.AssertClose(dBeta);

        // count larger than rows: statistics summed over a global batch of three workers.
        both.Reference.BatchNormBackwardInput(dy.Reference, xHat.Reference, Rows, Cols, variance.Reference, eps,
            gamma.Reference, dGamma.Reference, dBeta.Reference, 3 * Rows, dx.Reference);
        Backend.BatchNormBackwardInput(dy.Subject, xHat.Subject, Rows, Cols, variance.Subject, eps,
            gamma.Subject, dGamma.Subject, dBeta.Subject, 3 * Rows, dx.Subject);
        both.AssertClose(dx);
    }

    [Fact]
    public void UpdateRunningStatistics_MatchesReference()
    {
        var runningMean = both.Of(BackendComparison.RandomValues(Cols, 12));
        var runningVariance = both.Of(BackendComparison.RandomValues(Cols, 13, 0.5f, 2f));
        var batchMean = both.Of(BackendComparison.RandomValues(Cols, 14));
        var batchVariance = both.Of(BackendComparison.RandomValues(Cols, 15, 0.1f, 3f));
        both.Reference.UpdateRunningStatistics(runningMean.Reference, runningVariance.Reference,
            batchMean.Reference, batchVariance.Reference, Rows, 0.1f);
        Backend.UpdateRunningStatistics(runningMean.Subject, runningVariance.Subject,
            batchMean.Subject, batchVariance.Subject, Rows, 0.1f);
        both.AssertClose(runningMean);
        both.AssertClose(runningVariance);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.3f)]
    [InlineData(0.9f)]
    [InlineData(1f)]
    public void DropoutForward_DrawsTheReferenceMask(float p)
    {
        const int rowOffset = 5;
        const ulong seed = 0x5EED;
        var x = both.Of(BackendComparison.RandomValues(Rows * Cols, 16));
        var mask = both.Zeros(Rows * Cols);
        var y = both.Zeros(Rows * Cols);
        both.Reference.DropoutForward(x.Reference, Rows, Cols, rowOffset, p, seed, mask.Reference, y.Reference);
        Backend.DropoutForward(x.Subject, Rows, Cols, rowOffset, p, seed, mask.Subject, y.Subject);

        var expected = ReferenceBackend.View(mask.Reference).ToArray();
        var actual = both.DownloadSubject(mask.Subject);
        Assert.Equal(expected.Select(v => v != 0), actual.Select(v => v != 0));
        both.AssertClose(mask, 1e-7);
        both.AssertClose(y);
    }

    [Fact]
    public void DropoutForward_ShardsDrawTheMaskOfTheWholeBatch()
    {
        var x = both.Of(BackendComparison.RandomValues(Rows * Cols, 17));
        var whole = both.Zeros(Rows * Cols);
        var sharded = both.Zeros(Rows * Cols);
        var y = both.Zeros(Rows * Cols);
        Backend.DropoutForward(x.Subject, Rows, Cols, 0, 0.5f, 99, whole.Subject, y.Subject);
        Backend.DropoutForward(x.Subject.Take(3 * Cols), 3, Cols, 0, 0.5f, 99, sharded.Subject.Take(3 * Cols), y.Subject);
        Backend.DropoutForward(x.Subject.Slice(3 * Cols, 4 * Cols), 4, Cols, 3, 0.5f, 99,
            sharded.Subject.Slice(3 * Cols, 4 * Cols), y.Subject);
        Assert.Equal(both.DownloadSubject(whole.Subject), both.DownloadSubject(sharded.Subject));
    }

    [Fact]
    public void Multiply_MatchesReference()
    {
        var a = both.Of(BackendComparison.RandomValues(Rows * Cols, 18));
        var b = both.Of(BackendComparison.RandomValues(Rows * Cols, 19));
        var result = both.Zeros(Rows * Cols);
        both.Reference.Multiply(a.Reference, b.Reference, result.Reference);
        Backend.Multiply(a.Subject, b.Subject, result.Subject);
        both.AssertClose(result);
    }

    public static TheoryData<LossKind> LossKinds => new(Enum.GetValues<LossKind>());

    [Theory]
    [MemberData(nameof(LossKinds))]
    public void Loss_ValueAndGradient_MatchReference(LossKind kind)
    {
        var (output, targets) = LossInputs(kind);
        var grad = both.Zeros(Rows * Cols);
        const float gradScale = 1f / Rows;
        double expected = both.Reference.Loss(kind, output.Reference, targets.Reference, Rows, Cols, gradScale, grad.Reference);
        double actual = Backend.Loss(kind, output.Subject, targets.Subject, Rows, Cols, gradScale, grad.Subject);
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected), $"loss {actual:R}, reference {expected:R}");
        both.AssertClose(grad);
    }

    [Fact]
    public void Loss_ReusesItsScratchBufferOnceTheLargestCallHasBeenSeen()
    {
        var (output, targets) = LossInputs(LossKind.Mse);
        var grad = both.Zeros(Rows * Cols);
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
    public void Operations_GiveTheSameBitsTwice()
    {
        var x = both.Of(BackendComparison.RandomValues(Rows * Cols, 20, -5f, 5f));
        var (output, targets) = LossInputs(LossKind.CrossEntropy);

        (float[] Sums, float[] Variance, float[] Gemm, float[] Grad, double Loss) Run()
        {
            var sums = both.Zeros(Cols).Subject;
            var mean = both.Zeros(Cols).Subject;
            var variance = both.Zeros(Cols).Subject;
            var product = both.Zeros(Cols * Cols).Subject;
            var grad = both.Zeros(Rows * Cols).Subject;
            Backend.SumRows(x.Subject, Rows, Cols, sums);
            Backend.ColumnMeanVariance(x.Subject, Rows, Cols, mean, variance);
            Backend.Gemm(true, false, Cols, Cols, Rows, 1f, x.Subject, x.Subject, 0f, product);
            double loss = Backend.Loss(LossKind.CrossEntropy, output.Subject, targets.Subject, Rows, Cols, 0.5f, grad);
            return (both.DownloadSubject(sums), both.DownloadSubject(variance), both.DownloadSubject(product),
                both.DownloadSubject(grad), loss);
        }

        var first = Run();
        var second = Run();
        Assert.Equal(first.Sums, second.Sums);
        Assert.Equal(first.Variance, second.Variance);
        Assert.Equal(first.Gemm, second.Gemm);
        Assert.Equal(first.Grad, second.Grad);
        Assert.Equal(first.Loss, second.Loss);
    }

    [Fact]
    public void EmptyShapes_DoNothing()
    {
        var x = both.Of([3f]);
        Backend.Gemm(false, false, 0, 4, 3, 1f, x.Subject, x.Subject, 0f, x.Subject);
        Backend.SoftmaxForward(x.Subject, x.Subject, 0, 1);
        Assert.Equal(0, Backend.Loss(LossKind.Mse, x.Subject, x.Subject, 0, 1, 1f, x.Subject));
        Assert.Equal([3f], both.DownloadSubject(x.Subject));
    }

    [Fact]
    public void ASliceOfAnotherBackend_IsRejected()
    {
        using var reference = both.Reference.Allocate(4);
        using var own = Backend.Allocate(4);
        var error = Assert.Throws<ArgumentException>(() => Backend.Multiply(reference.All, own.All, own.All));
        Assert.Equal("a", error.ParamName);
    }

    [Fact]
    public void ASliceTooShortForTheShape_IsRejected()
    {
        using var a = Backend.Allocate(6);
        using var c = Backend.Allocate(5);
        var error = Assert.Throws<ArgumentException>(() => Backend.Gemm(false, false, 2, 3, 3, 1f, a.All, a.Slice(0, 9 - 3), 0f, c.All));
        Assert.Equal("b", error.ParamName);
    }

    [Fact]
    public void AnUnknownActivation_IsRejected()
    {
        using var x = Backend.Allocate(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.ActivationForward(new Activation((ActivationKind)99), x.All, x.All));
    }

    /// <summary>Outputs and targets in the range each loss is defined on.</summary>
    private (BackendComparison.Pair Output, BackendComparison.Pair Targets) LossInputs(LossKind kind)
    {
        if (kind == LossKind.CrossEntropy)
        {
            var labels = Enumerable.Range(0, Rows).Select(r => (float)(r * 5 % Cols)).ToArray();
            return (both.Of(BackendComparison.RandomValues(Rows * Cols, 21, -6f, 6f)), both.Of(labels));
        }
        var output = kind == LossKind.Bce
            ? BackendComparison.RandomValues(Rows * Cols, 22, 0.01f, 0.99f)
            : BackendComparison.RandomValues(Rows * Cols, 22, -4f, 4f);
        var targets = kind is LossKind.Bce or LossKind.BceWithLogits
            ? BackendComparison.RandomValues(Rows * Cols, 23, 0f, 1f)
            : BackendComparison.RandomValues(Rows * Cols, 23, -4f, 4f);
        return (both.Of(output), both.Of(targets));
    }
}
