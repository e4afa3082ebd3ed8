using DistTrainer.Core.Tests;
using DistTrainer.Core.Tests.Data;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A small seeded IDX training set written into a test directory, for runs that need more rows or
/// other widths than the parity fixture. Pixel means rise with the row index, so contiguous shards
/// of a batch have visibly different statistics (what a batch-norm merge must get right).
/// </summary>
internal static class SyntheticDataset
{
    public static string Write(TempDirectory directory, int count, int rows, int columns, int classes, int seed = 3)
    {
        var random = new Random(seed);
        int pixelsPerImage = rows * columns;
        var pixels = new byte[count * pixelsPerImage];
        for (int i = 0; i < count; i++)
        {
            int drift = 70 * i / count;
            for (int p = 0; p < pixelsPerImage; p++)
                pixels[i * pixelsPerImage + p] = (byte)(random.Next(110) + drift * (p % 3));
        }
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)random.Next(classes);
        directory.Write("train-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(count, rows, columns, pixels)));
        directory.Write("train-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(labels)));
        return directory.Path;
    }
}
