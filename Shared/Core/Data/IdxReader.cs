using System.Buffers.Binary;
using System.IO.Compression;

namespace DistTrainer.Core.Data;

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST, gzipped or raw. A file is gzipped when it starts
/// with the gzip magic bytes, whatever its name says. Samples are unsigned-byte images
/// (N x rows x columns) or unsigned-byte feature vectors (N x features, read as one row).
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int VectorsMagic = 0x00000802;
    public const int LabelsMagic = 0x00000801;

    private const int ImagesHeaderBytes = 16;
    private const int VectorsHeaderBytes = 12;
    private const int LabelsHeaderBytes = 8;

    public static IdxImages ReadImages(string path)
    {
        IdxContent content = IdxContent.Load(path);
        bool vectors = content.Length >= 4 && content.HeaderInt(0) == VectorsMagic;
        int headerBytes = vectors ? VectorsHeaderBytes : ImagesHeaderBytes;
        content.CheckHeader(vectors ? VectorsMagic : ImagesMagic, headerBytes, "images");
        int count = content.HeaderInt(1);
        int rows = vectors ? 1 : content.HeaderInt(2);
        int columns = content.HeaderInt(vectors ? 2 : 3);
        string declared = $"{count} images of {rows}x{columns}";
        if (count < 0 || rows < 0 || columns < 0 || (long)count * rows * columns > Array.MaxLength)
        {
            throw new InvalidInputException($"{path}: the header declares {declared}, which is not a valid size");
        }

        int pixelCount = count * rows * columns;
        content.CheckLength(headerBytes + (long)pixelCount, declared);
        return new IdxImages(count, rows, columns, content.KeptBody(headerBytes));
    }

    public static int[] ReadLabels(string path)
    {
        IdxContent content = IdxContent.Load(path);
        content.CheckHeader(LabelsMagic, LabelsHeaderBytes, "labels");
        int count = content.HeaderInt(1);
        if (count < 0)
        {
            throw new InvalidInputException($"{path}: the header declares {count} labels, which is not a valid size");
        }

        content.CheckLength(LabelsHeaderBytes + (long)count, $"{count} labels");
        var labels = new int[count];
        ReadOnlySpan<byte> bytes = content.Body(LabelsHeaderBytes);
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = bytes[i];
        }

        return labels;
    }

    /// <summary>The whole content of one IDX file, decompressed if it was gzipped.</summary>
    private readonly struct IdxContent(string path, byte[] buffer, int length, bool gzipped)
    {
        private string Describe => gzipped ? $"{length} bytes after gunzip" : $"{length} bytes";

        public int Length => length;

        public static IdxContent Load(string path)
        {
            byte[] raw = ReadAllBytes(path);
            bool gzipped = raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B;
            if (!gzipped)
            {
                return new IdxContent(path, raw, raw.Length, gzipped: false);
            }

            MemoryStream decompressed = Gunzip(path, raw);
            return new IdxContent(path, decompressed.GetBuffer(), (int)decompressed.Length, gzipped: true);
        }

        public int HeaderInt(int index) => BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(index * 4, 4));

        public ReadOnlySpan<byte> Body(int headerBytes) => buffer.AsSpan(headerBytes, length - headerBytes);

        /// <summary>
        /// The body to keep for as long as the dataset lives: a view of the read buffer when that holds
        /// nothing else (a raw file, or a gunzip whose size hint was right), an exact copy otherwise.
        /// </summary>
        public ReadOnlyMemory<byte> KeptBody(int headerBytes) =>
            buffer.Length == length ? buffer.AsMemory(headerBytes, length - headerBytes) : Body(headerBytes).ToArray();

        public void CheckHeader(int expectedMagic, int headerBytes, string kind)
        {
            if (length < 4)
            {
                throw new InvalidInputException(
                    $"{path}: truncated: an IDX {kind} file starts with a {headerBytes}-byte header, the file has {Describe}");
            }

            int magic = HeaderInt(0);
            if (magic != expectedMagic)
            {
                throw new InvalidInputException(
                    $"{path}: wrong magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} (IDX {kind})");
            }

            if (length < headerBytes)
            {
                throw new InvalidInputException(
                    $"{path}: truncated: the IDX {kind} header needs {headerBytes} bytes, the file has {Describe}");
            }
        }

        public void CheckLength(long expected, string declared)
        {
            if (length < expected)
            {
                throw new InvalidInputException(
                    $"{path}: truncated: the header declares {declared}, {expected} bytes, the file has {Describe}");
            }

            if (length > expected)
            {
                throw new InvalidInputException(
                    $"{path}: the header declares {declared}, {expected} bytes, but the file has {Describe}");
            }
        }

        private static byte[] ReadAllBytes(string path)
        {
            try
            {
                return File.ReadAllBytes(path);
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

        private static MemoryStream Gunzip(string path, byte[] compressed)
        {
            // The gzip trailer ends with the uncompressed size modulo 2^32: a good first capacity that
            // saves the copies of a growing buffer. Deflate expands at most about 1032:1, which bounds
            // the hint when the trailer is garbage.
            long sizeHint = compressed.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(^4)) : 0;
            long capacity = Math.Min(sizeHint, Math.Min(1032L * compressed.Length, Array.MaxLength));
            var decompressed = new MemoryStream((int)capacity);
            try
            {
                using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
                gzip.CopyTo(decompressed);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidInputException($"{path}: bad gzip stream: {e.Message}", e);
            }

            return decompressed;
        }
    }
}
