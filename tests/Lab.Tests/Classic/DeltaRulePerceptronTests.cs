using DistTrainer.Coordinator.Lab.Classic;
using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Classic;

public sealed class DeltaRulePerceptronTests
{
    [Fact]
    public void A_wrong_prediction_moves_every_weight_by_the_rate_times_the_error_times_its_input()
    {
        var perceptron = new DeltaRulePerceptron(inputs: 2, learningRate: 0.25, seed: 3);
        var before = perceptron.Weights.ToArray();
        float[] x = [0.5f, -2f];
        int target = 1 - perceptron.Predict(x);

        perceptron.Train(new Dataset("one", 2, x, [target], 2), maxEpochs: 1);

        double step = 0.25 * (target - (1 - target));
        Assert.Equal(before[0] + step * 0.5, perceptron.Weights[0], 12);
        Assert.Equal(before[1] + step * -2, perceptron.Weights[1], 12);
        Assert.Equal(before[2] + step, perceptron.Weights[2], 12);
    }

    [Fact]
    public void A_right_prediction_leaves_the_weights_alone_and_training_stops_there()
    {
        var perceptron = new DeltaRulePerceptron(inputs: 2, learningRate: 0.25, seed: 3);
        var before = perceptron.Weights.ToArray();
        float[] x = [0.5f, -2f];

        var accuracies = perceptron.Train(new Dataset("one", 2, x, [perceptron.Predict(x)], 2), maxEpochs: 10);

        Assert.Equal([1.0], accuracies);
        Assert.Equal(before, perceptron.Weights);
    }

    [Fact]
    public void It_predicts_one_exactly_where_the_weighted_sum_plus_bias_is_positive()
    {
        var perceptron = new DeltaRulePerceptron(inputs: 2, learningRate: 0.1, seed: 5);
        var w = perceptron.Weights;
        float[] x = [0.3f, 0.7f];

        Assert.Equal(w[0] * 0.3f + w[1] * 0.7f + w[2], perceptron.Activation(x), 12);
        Assert.Equal(perceptron.Activation(x) > 0 ? 1 : 0, perceptron.Predict(x));
    }

    [Fact]
    public void The_initial_weights_are_small_and_drawn_from_the_seed()
    {
        var a = new DeltaRulePerceptron(2, 0.1, seed: 7).Weights;
        var b = new DeltaRulePerceptron(2, 0.1, seed: 7).Weights;
        var c = new DeltaRulePerceptron(2, 0.1, seed: 8).Weights;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a.Concat(c), w => Assert.InRange(w, -DeltaRulePerceptron.InitialScale, DeltaRulePerceptron.InitialScale));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void It_learns_and_and_or_to_accuracy_one_and_stops(ulong seed)
    {
        foreach (var table in new[] { TruthTables.And, TruthTables.Or })
        {
            var accuracies = new DeltaRulePerceptron(2, 0.1, seed).Train(table, maxEpochs: 1000);

            Assert.Equal(1.0, accuracies[^1]);
            Assert.True(accuracies.Count < 1000, $"{table.Name} converged in {accuracies.Count} epochs");
        }
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void It_never_gets_more_than_three_of_the_four_xor_points_right(ulong seed)
    {
        var perceptron = new DeltaRulePerceptron(2, 0.1, seed);

        var accuracies = perceptron.Train(TruthTables.Xor, maxEpochs: 1000);

        Assert.Equal(1000, accuracies.Count);
        Assert.All(accuracies, a => Assert.True(a <= 0.75, $"accuracy {a} on XOR"));
    }
}
