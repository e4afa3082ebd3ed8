using System.Buffers.Binary;
using System.IO.Compression;

namespace DistTrainer.Core.Tests.Data;

/// <summary>Builds the bytes of small IDX files, raw or gzipped, for the tests to write.</summary>
internal static class IdxBytes
{
    public static byte[] Images(int count, int rows, int columns, params byte[] pixels) =>
        [.. Header(0x00000803, count, rows, columns), .. pixels];

    public static byte[] Labels(params byte[] labels) => [.. Header(0x00000801, labels.Length), .. labels];

    public static byte[] Header(int magic, params int[] dimensions)
    {
        var header = new byte[4 * (dimensions.Length + 1)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 * (i + 1)), dimensions[i]);
        }

        return header;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal))
        {
            gzip.Write(content);
        }

        return compressed.ToArray();
    }
}
