using System.Buffers.Binary;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

/// <summary>
/// A protobuf decoder written independently of the writer under test: it splits a message into its fields by
/// the wire format alone and throws on anything malformed.
/// </summary>
internal static class ProtobufFields
{
    public static List<ProtobufField> Parse(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtobufField>();
        var span = message.Span;
        int at = 0;
        while (at < span.Length)
        {
            ulong key = Varint(span, ref at);
            int number = (int)(key >> 3), wireType = (int)(key & 7);
            if (number == 0) throw new InvalidDataException($"field number 0 at byte {at}");
            switch (wireType)
            {
                case 0:
                    fields.Add(new ProtobufField(number, wireType, Varint(span, ref at), default));
                    break;
                case 1:
                    Need(span, at, 8);
                    fields.Add(new ProtobufField(number, wireType, BinaryPrimitives.ReadUInt64LittleEndian(span[at..]), default));
                    at += 8;
                    break;
                case 2:
                    int length = checked((int)Varint(span, ref at));
                    Need(span, at, length);
                    fields.Add(new ProtobufField(number, wireType, 0, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    Need(span, at, 4);
                    fields.Add(new ProtobufField(number, wireType, BinaryPrimitives.ReadUInt32LittleEndian(span[at..]), default));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wireType} of field {number} is not one an event uses");
            }
        }
        return fields;
    }

    public static double[] PackedDoubles(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length % 8 != 0) throw new InvalidDataException($"{bytes.Length} bytes are not a whole number of doubles");
        var values = new double[bytes.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.Span[(8 * i)..]);
        return values;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            Need(span, at, 1);
            byte b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a varint longer than ten bytes");
    }

    private static void Need(ReadOnlySpan<byte> span, int at, int count)
    {
        if (count < 0 || at + count > span.Length) throw new InvalidDataException($"a field runs past the end of its message at byte {at}");
    }
}
