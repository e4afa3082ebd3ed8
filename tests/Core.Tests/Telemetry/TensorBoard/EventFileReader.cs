using System.Buffers.Binary;
using DistTrainer.Core.Telemetry.TensorBoard;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

/// <summary>
/// Reads an event file back as TensorBoard would: checks both masked CRC-32Cs of every record (a mismatch or a
/// truncated record throws, naming the byte offset) and decodes every record as an Event.
/// </summary>
internal static class EventFileReader
{
    /// <summary>Every event of the file; the file may still be open for writing.</summary>
    public static List<DecodedEvent> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return Records(bytes.ToArray()).Select(Decode).ToList();
    }

    /// <summary>The single event file a run wrote into <paramref name="directory"/>, read back.</summary>
    public static List<DecodedEvent> ReadFolder(string directory)
    {
        var files = Directory.GetFiles(directory, EventFileWriter.Prefix + "*");
        if (files.Length != 1) throw new InvalidDataException($"{directory} holds {files.Length} event files, not 1");
        return Read(files[0]);
    }

    /// <summary>Each step and value of the scalar <paramref name="tag"/>, in file order.</summary>
    public static List<(long Step, float Value)> Scalars(IEnumerable<DecodedEvent> events, string tag) =>
        events.SelectMany(e => e.Values.Where(v => v.Tag == tag && v.Scalar is not null).Select(v => (e.Step, v.Scalar!.Value))).ToList();

    public static List<(long Step, Histogram Histogram)> Histograms(IEnumerable<DecodedEvent> events, string tag) =>
        events.SelectMany(e => e.Values.Where(v => v.Tag == tag && v.Histogram is not null).Select(v => (e.Step, v.Histogram!))).ToList();

    public static List<ReadOnlyMemory<byte>> Records(byte[] file)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        int at = 0;
        while (at < file.Length)
        {
            if (file.Length - at < 12) throw new InvalidDataException($"a record header is cut short at byte {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)) != MaskedCrc32C.Of(file.AsSpan(at, 8)))
                throw new InvalidDataException($"the length CRC of the record at byte {at} does not match");
            if (length > (ulong)(file.Length - at - 16)) throw new InvalidDataException($"the record at byte {at} runs past the end of the file");
            var data = new ReadOnlyMemory<byte>(file, at + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + (int)length)) != MaskedCrc32C.Of(data.Span))
                throw new InvalidDataException($"the data CRC of the record at byte {at} does not match");
            records.Add(data);
            at += 16 + (int)length;
        }
        return records;
    }

    private static DecodedEvent Decode(ReadOnlyMemory<byte> record)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<DecodedValue>();
        foreach (var field in ProtobufFields.Parse(record))
        {
            switch (field.Number)
            {
                case 1: wallTime = field.Double; break;
                case 2: step = (long)field.Scalar; break;
                case 3: version = field.String; break;
                case 5: values.AddRange(ProtobufFields.Parse(field.Bytes).Where(f => f.Number == 1).Select(f => Value(f.Bytes))); break;
                default: throw new InvalidDataException($"event field {field.Number} is not one the writer uses");
            }
        }
        return new DecodedEvent(wallTime, step, version, values);
    }

    private static DecodedValue Value(ReadOnlyMemory<byte> message)
    {
        string tag = "";
        float? scalar = null;
        Histogram? histogram = null;
        foreach (var field in ProtobufFields.Parse(message))
        {
            switch (field.Number)
            {
                case 1: tag = field.String; break;
                case 2: scalar = field.Float; break;
                case 5: histogram = Histo(field.Bytes); break;
                default: throw new InvalidDataException($"summary value field {field.Number} is not one the writer uses");
            }
        }
        return new DecodedValue(tag, scalar, histogram);
    }

    private static Histogram Histo(ReadOnlyMemory<byte> message)
    {
        var fields = ProtobufFields.Parse(message).ToDictionary(f => f.Number);
        return new Histogram(fields[1].Double, fields[2].Double, fields[3].Double, fields[4].Double, fields[5].Double,
            ProtobufFields.PackedDoubles(fields[6].Bytes), ProtobufFields.PackedDoubles(fields[7].Bytes));
    }
}
