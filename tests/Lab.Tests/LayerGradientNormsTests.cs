using DistTrainer.Coordinator.Lab;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Nn;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LayerGradientNormsTests
{
    /// <summary>linear:3:2 then linear:2:2: two weight matrices with a bias after each.</summary>
    private static readonly TensorPlacement[] Layout =
    [
        new("0.weight", [2, 3], 0, 6),
        new("0.bias", [2], 6, 2),
        new("2.weight", [2, 2], 8, 4),
        new("2.bias", [2], 12, 2),
    ];

    [Fact]
    public void Records_each_weight_matrix_norm_per_step_and_skips_the_biases()
    {
        var norms = new LayerGradientNorms(Layout, steps: 3);

        norms.OnGradients(0, [3, 4, 0, 0, 0, 0, 100, 100, 1, 2, 2, 0, 100, 100]);
        norms.OnGradients(1, [1, 1, 1, 1, 1, 1, -50, 50, 0, 0, 0, -0.5f, 7, 7]);

        Assert.Equal(["0.weight", "2.weight"], norms.Names);
        Assert.Equal(2, norms.Steps);
        Assert.Equal(5, norms.Norm(0, 0), 5);
        Assert.Equal(3, norms.Norm(0, 1), 5);
        Assert.Equal(Math.Sqrt(6), norms.Norm(1, 0), 5);
        Assert.Equal(0.5, norms.Norm(1, 1), 5);
        Assert.Equal([3, 0.5], norms.OverSteps(1), (a, b) => Math.Abs(a - b) < 1e-5);
        var means = norms.MeanPerLayer(0, 2);
        Assert.Equal((5 + Math.Sqrt(6)) / 2, means[0], 5);
        Assert.Equal(1.75, means[1], 5);
    }

    [Fact]
    public void Watches_the_linear_weights_of_a_real_model_but_not_batch_norm_scales()
    {
        using var backend = new CpuBackend(threads: 1);
        using var model = new Sequential(ModelSpec.Parse("linear:3:4,batchnorm:4,relu,linear:4:2"), backend, maxRows: 1);

        var norms = new LayerGradientNorms(model.ParameterLayout, steps: 1);

        Assert.Equal(["0.weight", "3.weight"], norms.Names);
        var gradients = new float[model.ParameterCount];
        gradients.AsSpan().Fill(2);
        norms.OnGradients(0, gradients);
        Assert.Equal(Math.Sqrt(12 * 4), norms.Norm(0, 0), 4);
        Assert.Equal(Math.Sqrt(8 * 4), norms.Norm(0, 1), 4);
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var norms = new LayerGradientNorms(Layout, steps: 100);
        var gradients = Enumerable.Range(0, 14).Select(i => (float)i).ToArray();
        norms.OnGradients(0, gradients);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 1; step < 100; step++) norms.OnGradients(step, gradients);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(100, norms.Steps);
    }

    [Fact]
    public void Refuses_a_step_beyond_the_steps_it_was_made_for()
    {
        var norms = new LayerGradientNorms(Layout, steps: 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => norms.OnGradients(2, new float[14]));
    }
}
