using DistTrainer.Core.Compute;
using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Activations and softmax, forward and backward, against the reference.
public abstract partial class BackendContract
{
    /// <summary>
    /// Written over the first random inputs: values near zero exercise the series branch of the device
    /// tanh and the 0.2 switch between its formulas; large ones saturate.
    /// </summary>
    private static readonly float[] EdgeInputs = [0f, 1e-4f, -0.05f, 0.19f, -0.21f, 12f, -30f];

    public static TheoryData<ActivationKind, int> ActivationCases()
    {
        var data = new TheoryData<ActivationKind, int>();
        foreach (var kind in Enum.GetValues<ActivationKind>())
            foreach (int length in new[] { 1, 3, 17, 33, 130, 1000 })
                data.Add(kind, length);
        return data;
    }

    public static TheoryData<int, int> SoftmaxShapes => new() { { 1, 1 }, { 3, 17 }, { 7, 13 }, { 33, 10 }, { 130, 33 } };

    [ContractTheory]
    [MemberData(nameof(ActivationCases))]
    public void Activation_forward_and_backward_match_the_reference(ActivationKind kind, int length)
    {
        using var both = Compare(length);
        var activation = new Activation(kind, 0.2f);
        var inputs = BackendComparison.RandomValues(length, length, -4f, 4f);
        EdgeInputs.AsSpan(0, Math.Min(length, EdgeInputs.Length)).CopyTo(inputs);
        var x = both.Of(inputs);
        var y = both.Zeros(length);
        var dy = both.Random(length);
        var dx = both.Zeros(length);

        Backend.ActivationForward(activation, x.Subject, y.Subject);
        both.Reference.ActivationForward(activation, x.Reference, y.Reference);
        Backend.ActivationBackward(activation, x.Subject, y.Subject, dy.Subject, dx.Subject);
        both.Reference.ActivationBackward(activation, x.Reference, y.Reference, dy.Reference, dx.Reference);

        both.AssertClose(y);
        both.AssertClose(dx);
    }

    [ContractTheory]
    [MemberData(nameof(SoftmaxShapes))]
    public void Softmax_forward_and_backward_match_the_reference(int rows, int cols)
    {
        using var both = Compare(rows + cols);
        var x = both.Random(rows * cols, -20, 20);
        var y = both.Zeros(rows * cols);
        var dy = both.Random(rows * cols);
        var dx = both.Zeros(rows * cols);

        Backend.SoftmaxForward(x.Subject, y.Subject, rows, cols);
        both.Reference.SoftmaxForward(x.Reference, y.Reference, rows, cols);
        Backend.SoftmaxBackward(y.Subject, dy.Subject, dx.Subject, rows, cols);
        both.Reference.SoftmaxBackward(y.Reference, dy.Reference, dx.Reference, rows, cols);

        both.AssertClose(y, floor: 1e-3);
        // dy - dot cancels, so dx is only as exact as the row's dot product (about 1e-7 absolute).
        both.AssertClose(dx, floor: 0.1);
    }
}
