using System.Buffers.Binary;
using System.Text;

namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON naming each tensor's dtype, shape and byte range, then the tensors' data. Files are
/// written byte for byte as the Python safetensors library writes them, so either side reads the
/// other's files and identical tensors give identical files.
/// </summary>
public static class SafeTensorsFile
{
    private const int LengthFieldBytes = sizeof(ulong);

    /// <summary>Reads every tensor and the metadata (empty when the file has none); any flaw in the file is an <see cref="InvalidInputException"/>.</summary>
    public static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path) =>
        Reading(path, stream => ReadFrom(path, stream));

    /// <summary>
    /// As <see cref="Read"/>, from a seekable stream holding exactly one file's bytes (a checkpoint received over the
    /// network before it is written anywhere); <paramref name="name"/> names it in errors.
    /// </summary>
    public static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ReadFrom(string name, Stream stream)
    {
        SafeTensorsHeader header = ReadHeader(name, stream);
        var tensors = new Dictionary<string, SafeTensor>(header.Entries.Count, StringComparer.Ordinal);
        foreach (SafeTensorEntry entry in header.Entries)
        {
            var data = new byte[entry.ByteCount];
            stream.ReadExactly(data);
            tensors.Add(entry.Name, new SafeTensor(entry.Name, entry.DType, entry.Shape, data));
        }

        return (tensors, header.Metadata);
    }

    /// <summary>The metadata alone, from the header, without reading the tensors; flaws as in <see cref="Read"/>.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => Reading(path, stream => ReadHeader(path, stream).Metadata);

    private static T Reading<T>(string path, Func<FileStream, T> read)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            return read(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException($"{path}: file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read the file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes the tensors atomically (see <see cref="AtomicFile"/>), laid out like the Python library:
    /// by descending dtype order, then by name. Without metadata the header has no __metadata__ entry.
    /// </summary>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata) =>
        AtomicFile.Write(path, stream => WriteTo(stream, tensors, metadata));

    /// <summary>The bytes <see cref="Write"/> puts in a file, onto <paramref name="stream"/> (a checkpoint sent over the network).</summary>
    public static void WriteTo(Stream stream, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        SafeTensor[] ordered = InWriteOrder(tensors);
        var entries = new SafeTensorEntry[ordered.Length];
        long offset = 0;
        for (int i = 0; i < ordered.Length; i++)
        {
            SafeTensor tensor = ordered[i];
            entries[i] = new SafeTensorEntry(tensor.Name, tensor.DType, tensor.Shape, offset, offset + tensor.Data.Length);
            offset += tensor.Data.Length;
        }

        byte[] header = SafeTensorsHeader.Format(entries, metadata);
        Span<byte> length = stackalloc byte[LengthFieldBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (SafeTensor tensor in ordered)
        {
            stream.Write(tensor.Data);
        }
    }

    private static SafeTensorsHeader ReadHeader(string path, Stream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < LengthFieldBytes)
        {
            throw new InvalidInputException(
                $"{path}: truncated: {fileLength} bytes, a safetensors file starts with an {LengthFieldBytes}-byte header length");
        }

        Span<byte> lengthField = stackalloc byte[LengthFieldBytes];
        stream.ReadExactly(lengthField);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (headerLength > (ulong)(fileLength - LengthFieldBytes))
        {
            throw new InvalidInputException(
                $"{path}: truncated: the header length {headerLength} goes beyond the end of the file ({fileLength} bytes)");
        }

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        return SafeTensorsHeader.Parse(path, json, fileLength - LengthFieldBytes - (long)headerLength);
    }

    private static SafeTensor[] InWriteOrder(IEnumerable<SafeTensor> tensors)
    {
        var named = new List<(SafeTensor Tensor, byte[] NameUtf8, int Rank)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SafeTensor tensor in tensors)
        {
            Validate(tensor);
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"tensor '{tensor.Name}' is given twice", nameof(tensors));
            }

            named.Add((tensor, Encoding.UTF8.GetBytes(tensor.Name), SafeTensorDTypes.RankOf(tensor.DType)));
        }

        // Names compare as UTF-8 bytes, as the reference writer's Rust strings do.
        named.Sort((a, b) => a.Rank != b.Rank ? b.Rank.CompareTo(a.Rank) : a.NameUtf8.AsSpan().SequenceCompareTo(b.NameUtf8));
        return [.. named.Select(n => n.Tensor)];
    }

    private static void Validate(SafeTensor tensor)
    {
        if (tensor.Name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is the metadata's key, not a tensor name", nameof(tensor));
        }

        if (!SafeTensorDTypes.IsKnown(tensor.DType))
        {
            throw new ArgumentException($"tensor '{tensor.Name}': unknown dtype '{tensor.DType}'", nameof(tensor));
        }

        if (tensor.Shape.Any(d => d < 0) || tensor.Data.Length != SafeTensor.ElementCountOf(tensor.Shape) * SafeTensorDTypes.ElementSize(tensor.DType))
        {
            throw new ArgumentException(
                $"tensor '{tensor.Name}': {tensor.Data.Length} bytes do not hold {tensor.DType} {SafeTensor.ShapeText(tensor.Shape)}",
                nameof(tensor));
        }
    }
}
