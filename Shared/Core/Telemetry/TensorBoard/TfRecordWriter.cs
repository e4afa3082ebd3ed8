using System.Buffers.Binary;

namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// TFRecord framing on a stream: each record is its length (uint64), the masked CRC-32C of those eight bytes,
/// the record, and the masked CRC-32C of the record, all little-endian. TensorBoard reads event files this way.
/// </summary>
public sealed class TfRecordWriter(Stream stream) : IDisposable
{
    public const int HeaderBytes = sizeof(ulong) + sizeof(uint);
    public const int FooterBytes = sizeof(uint);

    public void Write(ReadOnlySpan<byte> record)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[sizeof(ulong)..], MaskedCrc32C.Of(header[..sizeof(ulong)]));
        Span<byte> footer = stackalloc byte[FooterBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C.Of(record));
        stream.Write(header);
        stream.Write(record);
        stream.Write(footer);
    }

    public void Flush() => stream.Flush();

    public void Dispose() => stream.Dispose();
}
