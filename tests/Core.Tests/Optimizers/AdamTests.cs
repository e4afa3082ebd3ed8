using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class AdamTests
{
    [Fact]
    public void First_step_moves_each_parameter_by_about_the_learning_rate()
    {
        var optimizer = OptimizerFactory.Create(new("adam", LearningRate: 0.01f), 2);
        float[] parameters = [1f, 1f];

        optimizer.Step(parameters, [-3f, 0.02f]);

        Assert.Equal(1.01f, parameters[0], 1e-6f);
        Assert.Equal(0.99f, parameters[1], 1e-6f);
    }

    [Fact]
    public void Eps_is_added_after_the_bias_corrected_root()
    {
        var optimizer = OptimizerFactory.Create(new("adam"), 1);
        float[] parameters = [1f];

        // sqrt(v) / sqrt(1 - beta2) = |g| = eps, so the step is lr * g / 2g = lr / 2.
        optimizer.Step(parameters, [1e-8f]);

        Assert.Equal(1f - 0.0005f, parameters[0], 1e-7f);
    }

    [Fact]
    public void Adam_adds_the_decay_to_the_gradient_while_adamw_shrinks_the_weight()
    {
        var adam = OptimizerFactory.Create(new("adam", LearningRate: 0.01f, WeightDecay: 0.1f), 1);
        var adamW = OptimizerFactory.Create(new("adamw", LearningRate: 0.01f, WeightDecay: 0.1f), 1);
        float[] adamParameters = [1f];
        float[] adamWParameters = [1f];

        adam.Step(adamParameters, [-3f]);
        adamW.Step(adamWParameters, [-3f]);

        Assert.Equal(0.1f * (-3f + 0.1f * 1f), adam.State("exp_avg")[0], 1e-6f);
        Assert.Equal(0.1f * -3f, adamW.State("exp_avg")[0], 1e-6f);
        Assert.Equal(1.01f, adamParameters[0], 1e-6f);
        Assert.Equal(1f * (1f - 0.001f) + 0.01f, adamWParameters[0], 1e-6f);
    }

    [Fact]
    public void Bias_correction_follows_the_step_count()
    {
        var optimizer = OptimizerFactory.Create(new("adam", LearningRate: 0.01f), 1);
        float[] parameters = [0f];
        optimizer.State("exp_avg")[0] = 0.5f;
        optimizer.State("exp_avg_sq")[0] = 0.25f;
        optimizer.SetStepCount(999);

        optimizer.Step(parameters, [0.5f]);

        var correctedMean = 0.5f / (1f - MathF.Pow(0.9f, 1000));
        var correctedRoot = MathF.Sqrt(0.25f) / MathF.Sqrt(1f - MathF.Pow(0.999f, 1000));
        Assert.Equal(-0.01f * correctedMean / correctedRoot, parameters[0], 1e-6f);
    }
}
