using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class DatasetPixelsTests
{
    private const int Rows = 50;
    private const int Features = 37;

    private static readonly byte[] Bytes = DatasetRows.RandomBytes(Rows * Features, seed: 7);
    private static readonly int[] Labels = Enumerable.Range(0, Rows).Select(i => i % 3).ToArray();
    private static readonly Dataset AsPixels = Dataset.FromPixels("p", Features, Bytes, Labels, classCount: 3);
    private static readonly Dataset AsFloats = new("p", Features, DatasetRows.Scaled(Bytes), Labels, classCount: 3);

    [Fact]
    public void A_pixel_set_gathers_exactly_the_floats_of_the_same_data_stored_as_floats()
    {
        int[] indices = [.. Enumerable.Range(0, 64).Select(i => i * 17 % Rows)];
        var fromPixels = new float[indices.Length * Features];
        var fromFloats = new float[indices.Length * Features];

        AsPixels.GatherFeatures(indices, fromPixels);
        AsFloats.GatherFeatures(indices, fromFloats);

        Assert.Equal(fromFloats, fromPixels);
        Assert.Equal(AsFloats.Row(13).ToArray(), AsPixels.Row(13).ToArray());
    }

    [Fact]
    public void A_row_of_every_byte_value_gathers_each_divided_by_255()
    {
        byte[] everyByte = [.. Enumerable.Range(0, 256).Select(b => (byte)b)];
        var data = Dataset.FromPixels("all", 256, everyByte, [0], classCount: 1);
        var gathered = new float[256];

        data.GatherFeatures([0], gathered);

        Assert.Equal(DatasetRows.Scaled(everyByte), gathered);
    }

    [Fact]
    public void Head_of_a_pixel_set_is_a_view_of_its_bytes_and_gathers_the_same_rows()
    {
        var head = AsPixels.Head(20);

        Assert.True(AsPixels.Pixels.Span.Overlaps(head.Pixels.Span, out int offset));
        Assert.Equal(0, offset);
        Assert.Equal(20 * Features, head.Pixels.Length);
        Assert.Equal(20L * Features + 4 * 20, head.StorageBytes);
        Assert.Equal(AsFloats.Head(20).AllFeatures(), head.AllFeatures());
        Assert.Equal(Labels[..20], head.Labels);
    }

    [Fact]
    public void A_pixel_set_stores_a_byte_a_feature_and_a_float_set_four()
    {
        Assert.Equal(Rows * Features + 4L * Rows, AsPixels.StorageBytes);
        Assert.Equal(4L * Rows * Features + 4L * Rows, AsFloats.StorageBytes);
    }

    [Fact]
    public void Copying_rows_refuses_partial_rows_and_rows_past_the_end()
    {
        Assert.Throws<ArgumentException>(() => AsPixels.CopyRows(0, new float[Features + 1]));
        Assert.Throws<ArgumentException>(() => AsPixels.CopyRows(Rows - 1, new float[2 * Features]));
        Assert.Throws<ArgumentException>(() => AsFloats.CopyRows(-1, new float[Features]));
    }

    [Fact]
    public void A_pixel_set_refuses_bytes_that_do_not_make_its_rows()
    {
        Assert.Throws<ArgumentException>(() => Dataset.FromPixels("bad", 2, new byte[3], [0, 0], 1));
    }
}
