using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>The frame kind of a shard result, and of a key range's part of one, in each <see cref="WireDtype"/>, and back.</summary>
public static class GradientFrames
{
    private static readonly (WireDtype Dtype, FrameKind Result, FrameKind Part)[] Kinds =
    [
        (WireDtype.Fp32, FrameKind.Gradients, FrameKind.GradientPart),
        (WireDtype.Bf16, FrameKind.GradientsBf16, FrameKind.GradientPartBf16),
        (WireDtype.Fp16, FrameKind.GradientsFp16, FrameKind.GradientPartFp16),
    ];

    public static FrameKind Kind(WireDtype dtype) => Of(dtype).Result;

    public static FrameKind PartKind(WireDtype dtype) => Of(dtype).Part;

    /// <summary>The wire dtype of a shard-result frame of <paramref name="kind"/>; null for any other kind.</summary>
    public static WireDtype? Dtype(FrameKind kind)
    {
        foreach (var k in Kinds)
            if (k.Result == kind) return k.Dtype;
        return null;
    }

    /// <summary>The wire dtype of a key range's gradient part of <paramref name="kind"/>; null for any other kind.</summary>
    public static WireDtype? PartDtype(FrameKind kind)
    {
        foreach (var k in Kinds)
            if (k.Part == kind) return k.Dtype;
        return null;
    }

    private static (WireDtype Dtype, FrameKind Result, FrameKind Part) Of(WireDtype dtype)
    {
        foreach (var k in Kinds)
            if (k.Dtype == dtype) return k;
        throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no frame kind carries this wire dtype");
    }
}
