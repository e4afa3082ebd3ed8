using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Core.Tests.Training;

public class BatchRunnerTests
{
    private static Dataset RandomData(int count, int features, int classes, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        var y = new int[count];
        for (int i = 0; i < count; i++) y[i] = random.Next(classes);
        return new Dataset("random", features, x, y, classes);
    }

    [Theory]
    [InlineData("linear:6:5,tanh,dropout:0.3,linear:5:3", "cross-entropy")]
    [InlineData("linear:6:5,relu,linear:5:3,softmax", "mse")]
    public void Shards_with_the_global_normalizer_add_up_to_the_whole_batch(string layers, string lossName)
    {
        // What data-parallel training rests on: the gradient of a batch is the sum of its shards'
        // gradients when each is scaled by the whole batch's normalizer, dropout masks included.
        var data = RandomData(10, 6, 3, 4);
        var loss = LossFunction.Parse(lossName);
        int[] all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        int normalizer = loss.Normalizer(all.Length, 3);

        double[] Gradient(int[] rows, int offset)
        {
            using var model = new Sequential(ModelSpec.Parse(layers), new ReferenceBackend(), 10);
            model.Initialize(5);
            using var runner = new BatchRunner(model, loss);
            runner.ComputeGradients(data, rows, new StepContext(true, 3, 11, offset), normalizer);
            return ReferenceBackend.View(model.Gradients).ToArray();
        }

        var whole = Gradient(all, 0);
        var first = Gradient(all[..4], 0);
        var second = Gradient(all[4..], 4);
        Assert.Contains(whole, g => Math.Abs(g) > 1e-3);
        for (int i = 0; i < whole.Length; i++)
            Assert.Equal(whole[i], first[i] + second[i], 12);
    }

    [Fact]
    public void Evaluation_uses_running_statistics_and_no_dropout()
    {
        var data = RandomData(8, 4, 2, 1);
        using var model = new Sequential(ModelSpec.Parse("linear:4:3,batchnorm:3,dropout:0.5,linear:3:2"), new ReferenceBackend(), 8);
        model.Initialize(2);
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var first = runner.EvaluateRows(data, [0, 1, 2]);
        var again = runner.EvaluateRows(data, [2, 1, 0]);
        // Inference is row-independent: the same rows in another order give the same summed loss.
        Assert.Equal(first.LossSum, again.LossSum, 12);
        var single = runner.EvaluateRows(data, [0]).LossSum + runner.EvaluateRows(data, [1]).LossSum + runner.EvaluateRows(data, [2]).LossSum;
        Assert.Equal(first.LossSum, single, 12);
    }

    [Fact]
    public void Classifying_writes_each_rows_prediction_and_scores_as_evaluation_does()
    {
        // 7 rows through a model built for 3: the last batch is a partial one.
        var data = RandomData(7, 4, 3, 6);
        using var model = new Sequential(ModelSpec.Parse("linear:4:5:normal:2,tanh,linear:5:3:normal:2"), new ReferenceBackend(), 3);
        model.Initialize(2);
        var loss = LossFunction.Parse("cross-entropy");
        using var runner = new BatchRunner(model, loss);
        var predicted = new int[7];
        var outcome = runner.Classify(data, predicted);

        var rowByRow = default(BatchOutcome);
        for (int i = 0; i < 7; i++)
        {
            rowByRow += runner.EvaluateRows(data, [i]);
            var outputs = ReferenceBackend.View(model.Output(1)).ToArray().Select(v => (float)v).ToArray();
            Assert.Equal(loss.Predict(outputs), predicted[i]);
        }
        Assert.Equal(rowByRow.LossSum, outcome.LossSum, 12);
        Assert.Equal(rowByRow.Correct, outcome.Correct);
        Assert.Equal(7, outcome.Rows);
        Assert.Equal(Enumerable.Range(0, 7).Count(i => predicted[i] == data.Labels[i]), outcome.Correct);
        Assert.Contains(predicted, p => p != predicted[0]);
    }
}
