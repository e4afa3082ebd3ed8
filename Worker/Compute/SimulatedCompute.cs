using System.Diagnostics;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Worker.Compute;

/// <summary>
/// A worker's compute replaced by a wait: the scale benchmark runs dozens of workers on a machine of two cores, so
/// each shard costs the time a real one was measured to take for its rows, and its result is a stand-in of the real
/// layout's size (so the data plane carries exactly a real result's bytes). The stand-in is finite and the same for
/// every shard's mean gradient, so the parameter server applies it like any step and no shard looks like an outlier.
/// </summary>
public sealed class SimulatedCompute(TimeSpan perRow, ShardPayloadLayout layout)
{
    private const float MeanGradient = 1e-3f;

    /// <summary>Waits <paramref name="rows"/> x the per-row time, then writes the stand-in result into <paramref name="payload"/>.</summary>
    public ShardOutput Compute(int rows, int normalizer, float[] payload)
    {
        long start = Stopwatch.GetTimestamp();
        // A real shard would sum its rows' gradients over the step's normalizer: the same share here.
        layout.Gradients(payload).Fill(MeanGradient * rows / normalizer);
        for (int i = 0; i < layout.BatchNormWidths.Count; i++)
        {
            layout.Mean(payload, i).Clear();
            layout.Variance(payload, i).Fill(1f);
        }
        // Fine-grained: a shard of 128 rows takes about a millisecond, the granularity of .NET's own sleeps.
        var due = TimeSpan.FromTicks(perRow.Ticks * rows);
        for (var left = due; left > TimeSpan.Zero; left = due - Stopwatch.GetElapsedTime(start)) FineSleep.For(left);
        return new ShardOutput(new BatchOutcome(0, 0, rows), payload, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
