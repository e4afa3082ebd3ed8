using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private static readonly byte[] TwoImagesOf2x3 = IdxBytes.Images(2, 2, 3, 0, 255, 51, 1, 128, 254, 10, 20, 30, 40, 50, 60);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Reads_raw_images_as_their_pixel_bytes()
    {
        IdxImages images = IdxReader.ReadImages(_directory.Write("images", TwoImagesOf2x3));

        Assert.Equal((2, 2, 3, 6), (images.Count, images.Rows, images.Columns, images.PixelsPerImage));
        Assert.Equal([0, 255, 51, 1, 128, 254, 10, 20, 30, 40, 50, 60], images.Pixels.ToArray());
    }

    [Fact]
    public void Reads_two_dimensional_feature_vectors_as_one_row_each()
    {
        byte[] vectors = [.. IdxBytes.Header(0x00000802, 2, 3), 0, 255, 51, 10, 20, 30];

        IdxImages images = IdxReader.ReadImages(_directory.Write("vectors", vectors));

        Assert.Equal((2, 1, 3, 3), (images.Count, images.Rows, images.Columns, images.PixelsPerImage));
        Assert.Equal([0, 255, 51, 10, 20, 30], images.Pixels.ToArray());
    }

    [Fact]
    public void Detects_gzip_by_its_magic_bytes_not_by_the_name()
    {
        string gzippedWithoutSuffix = _directory.Write("images", IdxBytes.Gzip(TwoImagesOf2x3));
        string rawWithSuffix = _directory.Write("images.gz", TwoImagesOf2x3);

        Assert.Equal(IdxReader.ReadImages(rawWithSuffix).Pixels.ToArray(), IdxReader.ReadImages(gzippedWithoutSuffix).Pixels.ToArray());
        Assert.Equal(12, IdxReader.ReadImages(gzippedWithoutSuffix).Pixels.Length);
    }

    [Fact]
    public void Reads_raw_and_gzipped_labels()
    {
        byte[] labels = IdxBytes.Labels(3, 0, 9, 255);

        Assert.Equal([3, 0, 9, 255], IdxReader.ReadLabels(_directory.Write("labels", labels)));
        Assert.Equal([3, 0, 9, 255], IdxReader.ReadLabels(_directory.Write("labels.gz", IdxBytes.Gzip(labels))));
    }

    [Fact]
    public void Reads_an_empty_label_file()
    {
        Assert.Empty(IdxReader.ReadLabels(_directory.Write("labels", IdxBytes.Labels())));
    }

    [Fact]
    public void Missing_file_is_named()
    {
        string path = _directory.File("absent-idx3-ubyte");

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: file not found", error.Message);
    }

    [Fact]
    public void Wrong_magic_says_what_was_found_and_what_was_expected()
    {
        string labels = _directory.Write("labels", IdxBytes.Labels(1, 2));
        string images = _directory.Write("images", TwoImagesOf2x3);

        var readingLabelsAsImages = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(labels));
        var readingImagesAsLabels = Assert.Throws<InvalidInputException>(() => IdxReader.ReadLabels(images));

        Assert.Equal($"{labels}: wrong magic number 0x00000801, expected 0x00000803 (IDX images)", readingLabelsAsImages.Message);
        Assert.Equal($"{images}: wrong magic number 0x00000803, expected 0x00000801 (IDX labels)", readingImagesAsLabels.Message);
    }

    [Fact]
    public void File_shorter_than_the_magic_number_is_truncated()
    {
        string path = _directory.Write("images", [0, 0, 8]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: truncated: an IDX images file starts with a 16-byte header, the file has 3 bytes", error.Message);
    }

    [Fact]
    public void File_shorter_than_the_header_is_truncated()
    {
        string path = _directory.Write("images", TwoImagesOf2x3[..10]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: truncated: the IDX images header needs 16 bytes, the file has 10 bytes", error.Message);
    }

    [Fact]
    public void Truncated_images_say_bytes_expected_and_present()
    {
        string path = _directory.Write("images", TwoImagesOf2x3[..^5]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: truncated: the header declares 2 images of 2x3, 28 bytes, the file has 23 bytes", error.Message);
    }

    [Fact]
    public void Truncated_gzipped_content_says_it_was_measured_after_gunzip()
    {
        string path = _directory.Write("images.gz", IdxBytes.Gzip(TwoImagesOf2x3[..^1]));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: truncated: the header declares 2 images of 2x3, 28 bytes, the file has 27 bytes after gunzip", error.Message);
    }

    [Fact]
    public void Truncated_labels_say_bytes_expected_and_present()
    {
        string path = _directory.Write("labels", IdxBytes.Labels(1, 2, 3, 4)[..^2]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadLabels(path));

        Assert.Equal($"{path}: truncated: the header declares 4 labels, 12 bytes, the file has 10 bytes", error.Message);
    }

    [Fact]
    public void Bytes_beyond_the_declared_size_are_an_error()
    {
        string path = _directory.Write("labels", [.. IdxBytes.Labels(1, 2), 7]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadLabels(path));

        Assert.Equal($"{path}: the header declares 2 labels, 10 bytes, but the file has 11 bytes", error.Message);
    }

    [Fact]
    public void Impossible_dimensions_are_an_error()
    {
        string path = _directory.Write("images", IdxBytes.Images(-1, 28, 28));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: the header declares -1 images of 28x28, which is not a valid size", error.Message);
    }

    [Fact]
    public void Garbage_after_the_gzip_magic_is_a_bad_gzip_stream()
    {
        string path = _directory.Write("images.gz", [0x1F, 0x8B, 0x07, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: bad gzip stream: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Cut_gzip_stream_is_truncated_content()
    {
        // The runtime's gzip decoder ends quietly where the stream is cut; the IDX sizes catch it.
        byte[] gzipped = IdxBytes.Gzip(TwoImagesOf2x3);
        string path = _directory.Write("images.gz", gzipped[..(gzipped.Length / 2)]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: truncated: ", error.Message);
        Assert.EndsWith(" bytes after gunzip", error.Message);
    }

    [Fact]
    public void Reads_the_first_image_of_fashion_mnist_when_it_is_installed()
    {
        // Only where Debian's dataset-fashion-mnist is installed; elsewhere there is nothing to compare with.
        string path = Path.Combine(DatasetLoader.FashionMnistDirectory, "train-images-idx3-ubyte.gz");
        if (!File.Exists(path))
        {
            return;
        }

        IdxImages images = IdxReader.ReadImages(path);

        Assert.Equal((60000, 28, 28), (images.Count, images.Rows, images.Columns));
        Assert.Equal(13, images.Pixels.Span[99]);
        Assert.Equal(76247, images.Pixels[..784].ToArray().Sum(p => p));
    }
}
