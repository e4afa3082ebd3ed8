using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// A shard's result (<see cref="ShardPayloadLayout"/>) with its gradients in a 16-bit <see cref="WireDtype"/>, as
/// one float vector: the gradients two to a float, then the batch-norm moments as float32. With the parameters cut into
/// key ranges, each range's gradients begin on a float of their own (the last half of a range of odd length is zero), so
/// that a range's part of the result is a run of whole floats to send on its own stream; one range is the whole vector.
/// Only the gradients are rounded: they are the bulk of the bytes and error feedback makes up for their rounding over
/// the steps, while a moment is used once, in the step it belongs to, so its rounding could never be made up and would
/// bias the running statistics the model is evaluated with.
/// </summary>
public sealed class PackedShardPayload
{
    private readonly int[] _cuts;
    private readonly int[] _floatStarts;

    /// <param name="keyRangeCuts">Where the key ranges begin, and the parameter count last; null: one range.</param>
    public PackedShardPayload(ShardPayloadLayout layout, WireDtype dtype, int[]? keyRangeCuts = null)
    {
        if (dtype == WireDtype.Fp32)
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "an fp32 result is sent unpacked");
        _cuts = keyRangeCuts ?? [0, layout.ParameterCount];
        if (_cuts.Length < 2 || _cuts[0] != 0 || _cuts[^1] != layout.ParameterCount || _cuts.Zip(_cuts.Skip(1)).Any(c => c.First > c.Second))
            throw new ArgumentException($"key-range cuts [{string.Join(", ", _cuts)}] do not cover {layout.ParameterCount} parameters in order",
                nameof(keyRangeCuts));
        Layout = layout;
        Dtype = dtype;
        _floatStarts = new int[_cuts.Length];
        for (int range = 0; range < _cuts.Length - 1; range++)
            _floatStarts[range + 1] = _floatStarts[range] + GradientCodec.PackedFloats(_cuts[range + 1] - _cuts[range]);
        GradientFloats = _floatStarts[^1];
        Length = GradientFloats + layout.Length - layout.ParameterCount;
    }

    public ShardPayloadLayout Layout { get; }
    public WireDtype Dtype { get; }

    /// <summary>The floats that carry the packed gradients; the moments follow them.</summary>
    public int GradientFloats { get; }

    /// <summary>The floats of a packed result.</summary>
    public int Length { get; }

    /// <summary>Where key range <paramref name="range"/>'s packed gradients are in a packed result, in floats.</summary>
    public (int Offset, int Length) RangeFloats(int range) => (_floatStarts[range], _floatStarts[range + 1] - _floatStarts[range]);

    /// <summary>Rounds the gradients of <paramref name="payload"/> into <paramref name="packed"/> and copies the rest.</summary>
    public void Pack(float[] payload, Span<float> packed)
    {
        CheckLength(packed.Length);
        var gradients = Layout.Gradients(payload);
        for (int range = 0; range < _cuts.Length - 1; range++)
        {
            var (offset, length) = RangeFloats(range);
            GradientCodec.EncodePacked(Dtype, gradients[_cuts[range].._cuts[range + 1]], packed.Slice(offset, length));
        }
        payload.AsSpan(Layout.ParameterCount).CopyTo(packed[GradientFloats..]);
    }

    /// <summary>Decodes the packed gradients of <paramref name="packed"/> into <paramref name="gradients"/>, one per parameter.</summary>
    public void DecodeGradients(ReadOnlySpan<float> packed, Span<float> gradients)
    {
        for (int range = 0; range < _cuts.Length - 1; range++)
        {
            var (offset, length) = RangeFloats(range);
            GradientCodec.DecodePacked(Dtype, packed.Slice(offset, length), gradients[_cuts[range].._cuts[range + 1]]);
        }
    }

    /// <summary>Decodes <paramref name="packed"/> into a full result <paramref name="payload"/> of <see cref="ShardPayloadLayout.Length"/> floats.</summary>
    /// <exception cref="InvalidDataException"><paramref name="packed"/> is not <see cref="Length"/> floats long</exception>
    public void Unpack(Span<float> packed, float[] payload)
    {
        CheckLength(packed.Length);
        DecodeGradients(packed, Layout.Gradients(payload));
        packed[GradientFloats..].CopyTo(payload.AsSpan(Layout.ParameterCount));
    }

    private void CheckLength(int floats)
    {
        if (floats != Length)
            throw new InvalidDataException(
                $"a {WireDtypes.Name(Dtype)} shard result of {floats * sizeof(float)} bytes; this model's is {Length * sizeof(float)} bytes");
    }
}
