using System.IO.Hashing;
using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class FrameFormatTests
{
    private static readonly FrameHeader Sample = new(FrameKind.GradientSums, Step: 1L << 40, WeightsVersion: -7, ShardId: 3,
        Layer: 12, SampleCount: 128, Correct: 97, LossSum: 41.25, ComputeSeconds: 0.0123, PayloadBytes: 8);

    private static readonly byte[] Payload = [1, 2, 3, 4, 5, 6, 7, 8];

    [Fact]
    public void Every_header_field_round_trips_and_the_checksum_is_filled_in()
    {
        var bytes = Write(Sample, Payload);

        var read = FrameFormat.Read(bytes);

        Assert.NotEqual(0UL, read.Checksum);
        Assert.Equal(Sample with { Checksum = read.Checksum }, read);
        Assert.Equal(read.Checksum, FrameFormat.Checksum(bytes, Payload, new XxHash3()));
    }

    [Fact]
    public void The_checksum_covers_header_fields_and_payload()
    {
        ulong original = FrameFormat.Read(Write(Sample, Payload)).Checksum;

        ulong otherStep = FrameFormat.Read(Write(Sample with { Step = Sample.Step + 1 }, Payload)).Checksum;
        ulong otherLoss = FrameFormat.Read(Write(Sample with { LossSum = 41.5 }, Payload)).Checksum;
        ulong otherPayload = FrameFormat.Read(Write(Sample, [1, 2, 3, 4, 5, 6, 7, 9])).Checksum;

        Assert.Equal(4, new[] { original, otherStep, otherLoss, otherPayload }.Distinct().Count());
    }

    [Fact]
    public void A_foreign_magic_is_refused()
    {
        var bytes = Write(Sample, Payload);
        bytes[0] ^= 0xFF;

        var error = Assert.Throws<FrameProtocolException>(() => FrameFormat.Read(bytes));

        Assert.Contains("bad magic", error.Message);
    }

    [Fact]
    public void Another_format_version_is_refused()
    {
        var bytes = Write(Sample, Payload);
        bytes[4] = FrameFormat.Version + 1;

        var error = Assert.Throws<FrameProtocolException>(() => FrameFormat.Read(bytes));

        Assert.Contains($"version {FrameFormat.Version + 1}", error.Message);
    }

    private static byte[] Write(FrameHeader header, byte[] payload)
    {
        var bytes = new byte[FrameFormat.HeaderBytes];
        FrameFormat.Write(header, payload, new XxHash3(), bytes);
        return bytes;
    }
}
