using DistTrainer.Core.Compute;
using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// The operations' edge cases whose results are known by hand.
public abstract partial class ExactValueContract
{
    public static TheoryData<bool, bool> Transposes =>
        new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [ContractFact]
    public void Gemm_with_an_empty_sum_scales_c_by_beta()
    {
        using var both = Compare(5);
        var a = both.Zeros(0);
        var c = both.Of([1, -2, 3, 4, 5, 6]);

        Backend.Gemm(false, false, 2, 3, 0, 1, a.Subject, a.Subject, 0.5f, c.Subject);

        Assert.Equal([0.5f, -1, 1.5f, 2, 2.5f, 3], c.SubjectValues);
    }

    [ContractTheory]
    [MemberData(nameof(Transposes))]
    public void Gemm_with_beta_zero_ignores_nan_in_c(bool transposeA, bool transposeB)
    {
        using var both = Compare(4);
        var a = both.Random(19 * 300);
        var b = both.Random(300 * 35);
        var c = both.Of(Enumerable.Repeat(float.NaN, 19 * 35).ToArray());

        Backend.Gemm(transposeA, transposeB, 19, 35, 300, 1.5f, a.Subject, b.Subject, 0, c.Subject);

        Assert.All(c.SubjectValues, v => Assert.False(float.IsNaN(v)));
    }

    [ContractFact]
    public void Relu_and_step_map_zero_and_negative_infinity_to_zero()
    {
        using var both = Compare();
        var x = both.Of([0, -0f, float.NegativeInfinity, 2, -2, 0, 0, 0, 1]);
        var y = both.Zeros(9);

        Backend.ActivationForward(new Activation(ActivationKind.Relu), x.Subject, y.Subject);
        Assert.Equal([0, 0, 0, 2, 0, 0, 0, 0, 1], y.SubjectValues);

        Backend.ActivationForward(new Activation(ActivationKind.Step), x.Subject, y.Subject);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 1], y.SubjectValues);
    }

    [ContractFact]
    public void An_unknown_activation_is_refused()
    {
        using var x = Backend.Allocate(3);

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Backend.ActivationForward(new Activation((ActivationKind)99), x.All, x.All));
    }

    [ContractFact]
    public void Softmax_of_large_logits_does_not_overflow()
    {
        using var both = Compare();
        var x = both.Of([1000, 1000, 999]);
        var y = both.Zeros(3);

        Backend.SoftmaxForward(x.Subject, y.Subject, 1, 3);

        float e = MathF.Exp(-1);
        Assert.Equal([1 / (2 + e), 1 / (2 + e), e / (2 + e)], y.SubjectValues, (a, b) => MathF.Abs(a - b) < 1e-6f);
    }

    [ContractFact]
    public void Bce_clamps_the_log_of_zero_at_minus_100()
    {
        using var both = Compare();
        var output = both.Of([0, 1]);
        var targets = both.Of([1, 0]);
        var grad = both.Zeros(2);

        double loss = Backend.Loss(LossKind.Bce, output.Subject, targets.Subject, 2, 1, 1, grad.Subject);

        Assert.Equal(200, loss);
    }

    [ContractFact]
    public void Mae_gradient_of_an_exact_match_is_zero()
    {
        using var both = Compare();
        var output = both.Of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var targets = both.Of([1, 3, 2, 4, 5, 6, 7, 8, 9, 11]);
        var grad = both.Zeros(10);

        Backend.Loss(LossKind.Mae, output.Subject, targets.Subject, 10, 1, 1, grad.Subject);

        Assert.Equal([0, -1, 1, 0, 0, 0, 0, 0, 0, -1], grad.SubjectValues);
    }

    [ContractFact]
    public void Dropout_shards_draw_their_rows_of_the_whole_batch_mask()
    {
        using var both = Compare(17);
        var x = both.Random(6 * 40);
        var whole = both.Zeros(6 * 40);
        var shards = both.Zeros(6 * 40);
        var y = both.Zeros(6 * 40);

        Backend.DropoutForward(x.Subject, 6, 40, 0, 0.5f, 99, whole.Subject, y.Subject);
        Backend.DropoutForward(x.Subject.Take(120), 3, 40, 0, 0.5f, 99, shards.Subject.Take(120), y.Subject.Take(120));
        Backend.DropoutForward(x.Subject.Slice(120, 120), 3, 40, 3, 0.5f, 99, shards.Subject.Slice(120, 120),
            y.Subject.Slice(120, 120));

        Assert.Equal(whole.SubjectValues, shards.SubjectValues);
        Assert.Contains(0f, shards.SubjectValues[120..]);
        Assert.Contains(2f, shards.SubjectValues[120..]);
    }
}
