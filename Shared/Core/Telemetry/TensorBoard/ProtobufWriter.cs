using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// The protocol-buffer wire format for the few field kinds an event file needs (varint, 64-bit, 32-bit and
/// length-delimited fields, packed doubles), written by hand so that the core takes no protobuf dependency.
/// </summary>
public sealed class ProtobufWriter
{
    private const int VarintType = 0, Fixed64Type = 1, LengthType = 2, Fixed32Type = 5;
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Double(int field, double value)
    {
        Tag(field, Fixed64Type);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(sizeof(double)), value);
        _buffer.Advance(sizeof(double));
    }

    public void Float(int field, float value)
    {
        Tag(field, Fixed32Type);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(sizeof(float)), value);
        _buffer.Advance(sizeof(float));
    }

    /// <summary>An int64 field: a negative value takes ten bytes, as protobuf's two's-complement varint.</summary>
    public void Int64(int field, long value)
    {
        Tag(field, VarintType);
        Varint((ulong)value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A nested message: its encoded bytes, prefixed by their length.</summary>
    public void Message(int field, ProtobufWriter message) => Bytes(field, message.Written);

    public void PackedDoubles(int field, ReadOnlySpan<double> values)
    {
        Tag(field, LengthType);
        Varint((ulong)values.Length * sizeof(double));
        foreach (double value in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(sizeof(double)), value);
            _buffer.Advance(sizeof(double));
        }
    }

    private void Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, LengthType);
        Varint((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            Byte((byte)(value | 0x80));
            value >>= 7;
        }
        Byte((byte)value);
    }

    private void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}
