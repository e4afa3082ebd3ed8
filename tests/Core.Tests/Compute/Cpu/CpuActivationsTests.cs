using DistTrainer.Core.Compute;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class CpuActivationsTests
{
    public static TheoryData<ActivationKind, int> Cases()
    {
        var data = new TheoryData<ActivationKind, int>();
        foreach (var kind in Enum.GetValues<ActivationKind>())
        foreach (int length in new[] { 1, 3, 17, 33, 130, 1000 })
            data.Add(kind, length);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_backward_match_the_reference(ActivationKind kind, int length)
    {
        using var pair = CpuComparison.Create(length);
        var activation = new Activation(kind, 0.2f);
        var x = pair.Random(length, -4, 4);
        var y = pair.Zeros(length);
        var dy = pair.Random(length);
        var dx = pair.Zeros(length);

        pair.Subject.ActivationForward(activation, x.Subject, y.Subject);
        pair.Reference.ActivationForward(activation, x.Reference, y.Reference);
        pair.Subject.ActivationBackward(activation, x.Subject, y.Subject, dy.Subject, dx.Subject);
        pair.Reference.ActivationBackward(activation, x.Reference, y.Reference, dy.Reference, dx.Reference);

        Tolerance.Close(y.ReferenceValues, y.SubjectValues);
        Tolerance.Close(dx.ReferenceValues, dx.SubjectValues);
    }

    [Fact]
    public void Relu_and_step_treat_zero_and_negative_infinity_as_the_reference_does()
    {
        using var pair = CpuComparison.Create();
        var x = pair.Of([0, -0f, float.NegativeInfinity, 2, -2, 0, 0, 0, 1]);
        var y = pair.Zeros(9);

        pair.Subject.ActivationForward(new Activation(ActivationKind.Relu), x.Subject, y.Subject);
        Assert.Equal([0, 0, 0, 2, 0, 0, 0, 0, 1], y.SubjectValues);

        pair.Subject.ActivationForward(new Activation(ActivationKind.Step), x.Subject, y.Subject);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 1], y.SubjectValues);
    }
}
