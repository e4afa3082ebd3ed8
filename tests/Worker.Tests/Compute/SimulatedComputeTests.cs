using DistTrainer.Core.Training.Sharding;
using DistTrainer.Worker.Compute;
using Xunit;

namespace DistTrainer.Worker.Tests.Compute;

public sealed class SimulatedComputeTests
{
    private static readonly ShardPayloadLayout Layout = new(parameterCount: 10, batchNormWidths: [3]);

    [Fact]
    public void A_shard_takes_its_rows_times_the_time_per_row_and_says_so()
    {
        var compute = new SimulatedCompute(TimeSpan.FromMilliseconds(0.5), Layout);

        var output = compute.Compute(rows: 40, normalizer: 80, new float[Layout.Length]);

        // 40 rows x 0.5 ms: never shorter; a loaded machine may wake the thread late.
        Assert.InRange(output.Seconds, 0.020, 1.0);
        Assert.Equal(40, output.Outcome.Rows);
    }

    [Fact]
    public void The_stand_in_result_has_the_real_layout_and_the_shards_share_of_one_mean_gradient()
    {
        var compute = new SimulatedCompute(TimeSpan.FromTicks(1), Layout);
        var payload = Enumerable.Repeat(float.NaN, Layout.Length).ToArray();

        var output = compute.Compute(rows: 25, normalizer: 100, payload);

        Assert.Same(payload, output.Payload);
        Assert.All(Layout.Gradients(payload).ToArray(), g => Assert.Equal(2.5e-4f, g, 1e-9f));
        Assert.All(Layout.Mean(payload, 0).ToArray(), m => Assert.Equal(0f, m));
        Assert.All(Layout.Variance(payload, 0).ToArray(), v => Assert.Equal(1f, v));
    }
}
