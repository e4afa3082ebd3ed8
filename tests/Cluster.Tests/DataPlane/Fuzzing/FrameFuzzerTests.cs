using DistTrainer.Cluster.DataPlane.Fuzzing;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane.Fuzzing;

/// <summary>A short fixed-seed fuzz run of the Hello and frame readers; the benchmarks' fuzz command runs it for minutes.</summary>
public sealed class FrameFuzzerTests
{
    private const int Limit = 4096;

    [Fact]
    public void Random_and_damaged_frames_are_refused_only_by_the_protocols_own_errors_with_allocation_bounded_by_the_limit()
    {
        var report = new FrameFuzzer(seed: 20_261_202, maxPayloadBytes: Limit).Run(maxInputs: 5_000, maxDuration: TimeSpan.FromMinutes(1));

        Assert.Empty(report.Findings);
        Assert.Equal(5_000, report.Inputs);
        Assert.InRange(report.LargestAllocation, 1, Limit);
        Assert.True(report.FramesAccepted > 0 && report.HellosAccepted > 0, $"{report.FramesAccepted} frames, {report.HellosAccepted} Hellos accepted");
        foreach (string reason in new[]
                 {
                     "Hello reader: payload length N bytes is outside N..N", "Hello reader: first frame is Gradients, expected Hello",
                     "Hello reader: text payload is not valid UTF-8", "Hello reader: closed mid-frame", "frame reader: checksum mismatch on a Weights frame",
                     "frame reader: payload length N bytes is outside N..N", "frame reader: bad magic", "frame reader: closed mid-frame",
                 })
            Assert.Contains(report.Rejections.Keys, key => key.StartsWith(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_seed_tries_the_same_inputs()
    {
        var first = new FrameFuzzer(seed: 7, maxPayloadBytes: Limit).Run(maxInputs: 2_000, maxDuration: TimeSpan.FromMinutes(1));
        var second = new FrameFuzzer(seed: 7, maxPayloadBytes: Limit).Run(maxInputs: 2_000, maxDuration: TimeSpan.FromMinutes(1));

        Assert.Equal(first.Rejections, second.Rejections);
        Assert.Equal((first.FramesAccepted, first.HellosAccepted), (second.FramesAccepted, second.HellosAccepted));
    }
}
