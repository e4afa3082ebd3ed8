using System.IO.Hashing;

namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// The checksum of TFRecord framing: CRC-32C (Castagnoli), then rotated and offset, because a CRC of data
/// that itself holds CRCs is weak (TensorFlow's crc32c::Mask).
/// </summary>
public static class MaskedCrc32C
{
    private const uint MaskDelta = 0xA282EAD8;

    /// <summary>The plain CRC-32C of <paramref name="data"/>.</summary>
    public static uint Crc(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>The masked CRC-32C of <paramref name="data"/>, as a TFRecord stores it.</summary>
    public static uint Of(ReadOnlySpan<byte> data) => Mask(Crc(data));

    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + MaskDelta);
}
