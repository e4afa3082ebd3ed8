using System.Runtime.InteropServices;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// A shard's result (<see cref="ShardPayloadLayout"/>) with its gradients in a 16-bit <see cref="WireDtype"/>, as
/// one float vector: the gradients two to a float (the last half zero when their count is odd), then the
/// batch-norm moments as float32. Only the gradients are rounded: they are the bulk of the bytes and error
/// feedback makes up for their rounding over the steps, while a moment is used once, in the step it belongs to,
/// so its rounding could never be made up and would bias the running statistics the model is evaluated with.
/// </summary>
public sealed class PackedShardPayload
{
    public PackedShardPayload(ShardPayloadLayout layout, WireDtype dtype)
    {
        if (dtype == WireDtype.Fp32)
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "an fp32 result is sent unpacked");
        Layout = layout;
        Dtype = dtype;
        GradientFloats = (layout.ParameterCount + 1) / 2;
        Length = GradientFloats + layout.Length - layout.ParameterCount;
    }

    public ShardPayloadLayout Layout { get; }
    public WireDtype Dtype { get; }

    /// <summary>The floats that carry the packed gradients.</summary>
    public int GradientFloats { get; }

    /// <summary>The floats of a packed result.</summary>
    public int Length { get; }

    /// <summary>The packed gradients of <paramref name="packed"/>, one 16-bit value per parameter.</summary>
    public Span<ushort> Gradients(Span<float> packed) =>
        MemoryMarshal.Cast<float, ushort>(packed[..GradientFloats])[..Layout.ParameterCount];

    /// <summary>Rounds the gradients of <paramref name="payload"/> into <paramref name="packed"/> and copies the rest.</summary>
    public void Pack(float[] payload, Span<float> packed)
    {
        CheckLength(packed.Length);
        var halves = MemoryMarshal.Cast<float, ushort>(packed[..GradientFloats]);
        halves[Layout.ParameterCount..].Clear();
        GradientCodec.Encode(Dtype, Layout.Gradients(payload), halves[..Layout.ParameterCount]);
        payload.AsSpan(Layout.ParameterCount).CopyTo(packed[GradientFloats..]);
    }

    /// <summary>Decodes <paramref name="packed"/> into a full result <paramref name="payload"/> of <see cref="ShardPayloadLayout.Length"/> floats.</summary>
    /// <exception cref="InvalidDataException"><paramref name="packed"/> is not <see cref="Length"/> floats long</exception>
    public void Unpack(Span<float> packed, float[] payload)
    {
        CheckLength(packed.Length);
        GradientCodec.Decode(Dtype, Gradients(packed), Layout.Gradients(payload));
        packed[GradientFloats..].CopyTo(payload.AsSpan(Layout.ParameterCount));
    }

    private void CheckLength(int floats)
    {
        if (floats != Length)
            throw new InvalidDataException(
                $"a {WireDtypes.Name(Dtype)} shard result of {floats * sizeof(float)} bytes; this model's is {Length * sizeof(float)} bytes");
    }
}
