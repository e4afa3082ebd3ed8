using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu;

/// <summary>A whole training step of real models on ILGPU's CPU accelerator against the same step on the reference and on the CPU backend.</summary>
public sealed class IlgpuModelStepTests(CpuSimulatorFixture fixture) : IClassFixture<CpuSimulatorFixture>
{
    [Theory]
    [InlineData("linear:9:7,batchnorm:7,tanh,dropout:0.3,linear:7:6,sigmoid,linear:6:4", "cross-entropy")]
    [InlineData("linear:9:6,leaky_relu:0.1,linear:6:4,softmax", "mse")]
    [InlineData("linear:9:5,relu,linear:5:4,sigmoid", "bce")]
    [InlineData("linear:9:5,step,linear:5:4", "bce-with-logits")]
    [InlineData("linear:9:5,batchnorm:5,relu,linear:5:4", "mae")]
    public void Compute_gradients_matches_the_reference_and_the_cpu_backend(string layers, string lossName)
    {
        var loss = LossFunction.Parse(lossName);
        var data = RandomData(count: 11, features: 9, classes: 4);
        int[] rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var step = new StepContext(Training: true, Step: 3, Seed: 17, RowOffset: 2);

        (BatchOutcome Outcome, float[] Gradients, float[] Buffers) Run(IComputeBackend backend)
        {
            using var model = new Sequential(ModelSpec.Parse(layers), backend, rows.Length);
            model.Initialize(5);
            using var runner = new BatchRunner(model, loss);
            var outcome = runner.ComputeGradients(data, rows, step, loss.Normalizer(rows.Length, model.OutputWidth));
            var gradients = new float[model.ParameterCount];
            var buffers = new float[model.BufferCount];
            backend.Download(model.Gradients, gradients);
            backend.Download(model.Buffers, buffers);
            return (outcome, gradients, buffers);
        }

        var expected = Run(new ReferenceBackend());
        var actual = Run(fixture.Backend);

        Assert.Equal(expected.Outcome.Correct, actual.Outcome.Correct);
        Assert.Equal(expected.Outcome.LossSum, actual.Outcome.LossSum, 1e-5 * Math.Abs(expected.Outcome.LossSum));
        Assert.Contains(expected.Gradients, g => Math.Abs(g) > 1e-3);
        AssertClose(expected.Gradients, actual.Gradients, "gradient");
        AssertClose(expected.Buffers, actual.Buffers, "running statistic");

        using var cpuBackend = new CpuBackend(1);
        var cpu = Run(cpuBackend);
        Assert.Equal(cpu.Outcome.Correct, actual.Outcome.Correct);
        AssertClose(cpu.Gradients, actual.Gradients, "gradient against CpuBackend");
        AssertClose(cpu.Buffers, actual.Buffers, "running statistic against CpuBackend");
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"{what} {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static Dataset RandomData(int count, int features, int classes)
    {
        var random = new Random(8);
        var x = new float[count * features];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        var y = new int[count];
        for (int i = 0; i < count; i++) y[i] = random.Next(classes);
        return new Dataset("random", features, x, y, classes);
    }
}
