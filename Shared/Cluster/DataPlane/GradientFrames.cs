using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>The frame kind of a shard result in each <see cref="WireDtype"/>, and back.</summary>
public static class GradientFrames
{
    public static FrameKind Kind(WireDtype dtype) => dtype switch
    {
        WireDtype.Fp32 => FrameKind.Gradients,
        WireDtype.Bf16 => FrameKind.GradientsBf16,
        WireDtype.Fp16 => FrameKind.GradientsFp16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no frame kind carries this wire dtype"),
    };

    /// <summary>The wire dtype of a shard-result frame of <paramref name="kind"/>; null for any other kind.</summary>
    public static WireDtype? Dtype(FrameKind kind) => kind switch
    {
        FrameKind.Gradients => WireDtype.Fp32,
        FrameKind.GradientsBf16 => WireDtype.Bf16,
        FrameKind.GradientsFp16 => WireDtype.Fp16,
        _ => null,
    };
}
