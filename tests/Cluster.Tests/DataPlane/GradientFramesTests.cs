using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class GradientFramesTests
{
    [Theory]
    [InlineData(WireDtype.Fp32, FrameKind.Gradients)]
    [InlineData(WireDtype.Bf16, FrameKind.GradientsBf16)]
    [InlineData(WireDtype.Fp16, FrameKind.GradientsFp16)]
    public void A_shard_result_says_its_wire_dtype_by_its_kind(WireDtype dtype, FrameKind kind)
    {
        Assert.Equal(kind, GradientFrames.Kind(dtype));
        Assert.Equal(dtype, GradientFrames.Dtype(kind));
    }

    [Theory]
    [InlineData(WireDtype.Fp32, FrameKind.GradientPart)]
    [InlineData(WireDtype.Bf16, FrameKind.GradientPartBf16)]
    [InlineData(WireDtype.Fp16, FrameKind.GradientPartFp16)]
    public void A_key_ranges_part_says_its_wire_dtype_by_its_kind_and_is_no_whole_result(WireDtype dtype, FrameKind kind)
    {
        Assert.Equal(kind, GradientFrames.PartKind(dtype));
        Assert.Equal(dtype, GradientFrames.PartDtype(kind));
        Assert.Null(GradientFrames.Dtype(kind));
        Assert.Null(GradientFrames.PartDtype(GradientFrames.Kind(dtype)));
    }

    [Fact]
    public void An_fp32_result_keeps_the_kind_it_always_had() => Assert.Equal(3, (int)GradientFrames.Kind(WireDtype.Fp32));

    [Fact]
    public void Other_kinds_carry_no_wire_dtype() => Assert.Null(GradientFrames.Dtype(FrameKind.Weights));
}
