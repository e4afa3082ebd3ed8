using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

public sealed class ShardComputeWarmUpTests
{
    private const int Features = 6;
    private const int Classes = 5;

    private static readonly ModelSpec Spec = ModelSpec.Parse($"linear:{Features}:12,batchnorm:12,relu,dropout:0.2,linear:12:{Classes}");
    private static readonly LossFunction Loss = LossFunction.Parse("cross-entropy");

    /// <summary>Seven rows, so two shards of five rows wrap around to the data's start.</summary>
    private static readonly Dataset Data = new("tiny", Features, [.. Enumerable.Range(0, 7 * Features).Select(i => (float)Math.Sin(i))],
        [0, 1, 2, 3, 4, 0, 1], Classes);

    [Fact]
    public void Every_shard_of_a_step_is_computed_on_its_rows_and_zero_weights_give_the_uniform_loss()
    {
        using var warmUp = new ShardComputeWarmUp(Spec, Loss, Data, threads: 1, rows: 5, shards: 2, seed: 3);
        var outputs = warmUp.Step(0, new float[warmUp.ParameterCount]);

        Assert.Equal([0, 5], warmUp.Shards.Select(s => s.Start));
        Assert.Equal(2, outputs.Length);
        foreach (var output in outputs)
        {
            Assert.Equal(5, output.Outcome.Rows);
            // All-zero weights give every class the same logit: each row's cross-entropy is ln(classes).
            Assert.Equal(5 * Math.Log(Classes), output.Outcome.LossSum, 5);
            Assert.Equal(warmUp.Layout.Length, output.Payload.Length);
            Assert.All(output.Payload, value => Assert.True(float.IsFinite(value)));
        }
    }

    [Fact]
    public void A_run_takes_every_warm_up_step_unless_told_to_stop()
    {
        using var warmUp = new ShardComputeWarmUp(Spec, Loss, Data, threads: 1, rows: 4, shards: 1, seed: 3);

        Assert.Equal(ShardComputeWarmUp.Steps, warmUp.Run(CancellationToken.None));
        Assert.Equal(0, warmUp.Run(new CancellationToken(canceled: true)));
    }
}
