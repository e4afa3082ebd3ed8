using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Loads_train_and_test_sets_from_a_data_directory()
    {
        _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(3, 1, 2, 0, 255, 51, 102, 153, 204));
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0, 2, 1));
        _directory.Write("t10k-images-idx3-ubyte", IdxBytes.Images(1, 2, 1, 255, 0));
        _directory.Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(4));

        (Dataset train, Dataset? test) = DatasetLoader.Load(null, _directory.Path);

        Assert.Equal((3, 2, 5), (train.Count, train.FeatureCount, train.ClassCount));
        Assert.Equal([0f, 1f, 0.2f, 0.4f, 0.6f, 0.8f], train.AllFeatures());
        Assert.Equal([0, 2, 1], train.Labels);
        Assert.Equal(_directory.Path, train.Name);
        Assert.NotNull(test);
        Assert.Equal((1, 2, 5), (test.Count, test.FeatureCount, test.ClassCount));
        Assert.Equal([1f, 0f], test.AllFeatures());
        Assert.Equal([4], test.Labels);
    }

    [Fact]
    public void Loads_gzipped_files_and_no_test_set_when_there_is_none()
    {
        _directory.Write("train-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(2, 1, 1, 0, 255)));
        _directory.Write("train-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(1, 0)));

        (Dataset train, Dataset? test) = DatasetLoader.Load(DatasetLoader.FashionMnist, _directory.Path);

        Assert.Equal([0f, 1f], train.AllFeatures());
        Assert.Equal([1, 0], train.Labels);
        Assert.Equal(2, train.ClassCount);
        Assert.Null(test);
    }

    [Fact]
    public void Loads_feature_vectors_from_idx2_files()
    {
        _directory.Write("train-images-idx2-ubyte", [.. IdxBytes.Header(0x00000802, 2, 3), 0, 255, 0, 255, 0, 255]);
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(1, 0));
        _directory.Write("t10k-images-idx2-ubyte.gz", IdxBytes.Gzip([.. IdxBytes.Header(0x00000802, 1, 3), 255, 255, 255]));
        _directory.Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(1));

        (Dataset train, Dataset? test) = DatasetLoader.Load(null, _directory.Path);

        Assert.Equal(3, train.FeatureCount);
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 1f], train.AllFeatures());
        Assert.Equal([1f, 1f, 1f], test!.AllFeatures());
    }

    [Fact]
    public void Prefers_the_raw_file_when_both_forms_are_present()
    {
        _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(1, 1, 1, 255));
        _directory.Write("train-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(1, 1, 1, 0)));
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0));

        (Dataset train, _) = DatasetLoader.Load(null, _directory.Path);

        Assert.Equal([1f], train.AllFeatures());
    }

    [Fact]
    public void Images_and_labels_of_different_counts_name_both_files()
    {
        string images = _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(2, 1, 1, 0, 255));
        string labels = _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0, 1, 1));

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal($"{images} holds 2 images but {labels} holds 3 labels", error.Message);
    }

    [Fact]
    public void Test_images_and_labels_of_different_counts_name_both_files()
    {
        WriteTrainingSet();
        string images = _directory.Write("t10k-images-idx3-ubyte", IdxBytes.Images(2, 1, 2, 0, 255, 9, 9));
        string labels = _directory.Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(0));

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal($"{images} holds 2 images but {labels} holds 1 labels", error.Message);
    }

    [Fact]
    public void Test_images_of_another_size_are_an_error()
    {
        WriteTrainingSet();
        string testImages = _directory.Write("t10k-images-idx3-ubyte", IdxBytes.Images(1, 1, 1, 9));
        _directory.Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(0));

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal(
            $"{testImages}: images of 1x1, but the training images in {_directory.File("train-images-idx3-ubyte")} are 1x2",
            error.Message);
    }

    [Fact]
    public void Half_a_test_set_is_an_error()
    {
        WriteTrainingSet();
        _directory.Write("t10k-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(1, 1, 2, 0, 0)));

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal(
            $"--data-dir {_directory.Path}: {_directory.Path} has t10k-images-idx3-ubyte[.gz] but no t10k-labels-idx1-ubyte[.gz]; " +
            "a test set needs both or neither",
            error.Message);
    }

    [Fact]
    public void Missing_training_file_in_a_data_directory_is_named()
    {
        _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(1, 1, 1, 0));

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal(
            $"--data-dir {_directory.Path}: no train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz in {_directory.Path}",
            error.Message);
    }

    [Fact]
    public void Missing_data_directory_is_named()
    {
        string absent = _directory.File("absent");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, absent));

        Assert.Equal($"--data-dir {absent}: directory not found", error.Message);
    }

    [Fact]
    public void Empty_training_set_is_an_error()
    {
        string images = _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(0, 28, 28));
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels());

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal($"{images}: holds no images, nothing to train on", error.Message);
    }

    [Fact]
    public void Missing_fashion_mnist_says_how_to_get_it()
    {
        string absent = _directory.File("fashion-mnist");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.LoadFashionMnist(absent));

        Assert.Equal(
            $"fashion-mnist: no train-images-idx3-ubyte or train-images-idx3-ubyte.gz in {absent}; " +
            "install it with 'apt-get install dataset-fashion-mnist' or pass --data-dir DIR with the IDX files",
            error.Message);
    }

    [Fact]
    public void Loads_installed_fashion_mnist_by_default()
    {
        // Only where Debian's dataset-fashion-mnist is installed; the test above covers its absence.
        if (!Directory.Exists(DatasetLoader.FashionMnistDirectory))
        {
            return;
        }

        (Dataset train, Dataset? test) = DatasetLoader.Load(null, null);

        Assert.Equal(("fashion-mnist", 60000, 784, 10), (train.Name, train.Count, train.FeatureCount, train.ClassCount));
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], train.Labels[..10]);
        Assert.NotNull(test);
        Assert.Equal((10000, 784, 10), (test.Count, test.FeatureCount, test.ClassCount));
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], test.Labels[..10]);
        // A byte a pixel and four a label: 1.004x the uncompressed IDX files (16-byte and 8-byte headers), not 4x.
        long fileBytes = 16 + 60000L * 784 + 8 + 60000;
        Assert.Equal(60000L * 784 + 4 * 60000, train.StorageBytes);
        Assert.True(train.StorageBytes <= 1.1 * fileBytes);
    }

    [Fact]
    public void Xor_is_the_four_corners_of_the_unit_square()
    {
        (Dataset train, Dataset? test) = DatasetLoader.Load("xor", null);

        Assert.Equal(("xor", 4, 2, 2), (train.Name, train.Count, train.FeatureCount, train.ClassCount));
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], train.AllFeatures());
        Assert.Equal([0, 1, 1, 0], train.Labels);
        Assert.Same(train, test);
    }

    [Fact]
    public void Xor_with_a_data_directory_is_an_error()
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("xor", "/data"));

        Assert.Equal("--data-dir: the xor dataset is built in and reads no files, drop --data-dir /data", error.Message);
    }

    [Fact]
    public void Unknown_dataset_is_named()
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("cifar", null));

        Assert.Equal("--dataset: unknown dataset 'cifar'; expected fashion-mnist or xor", error.Message);
    }

    private void WriteTrainingSet()
    {
        _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(1, 1, 2, 0, 255));
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0));
    }
}
