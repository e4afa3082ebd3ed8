using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class DatasetCacheTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public DatasetCacheTests()
    {
        _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(3, 1, 2, 0, 255, 51, 102, 153, 204));
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0, 2, 1));
        _directory.Write("t10k-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(1, 2, 1, 255, 0)));
        _directory.Write("t10k-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(1)));
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Two_loads_of_the_same_files_get_the_same_datasets()
    {
        var first = DatasetLoader.Load(null, _directory.Path);
        var second = DatasetLoader.Load(DatasetLoader.FashionMnist, _directory.Path + "/.");

        Assert.Same(first.Train, second.Train);
        Assert.Same(first.Test, second.Test);
    }

    [Fact]
    public void Loads_that_cut_the_samples_share_the_bytes_of_the_whole_set()
    {
        var whole = DatasetLoader.Load(null, _directory.Path);
        var cut = DatasetLoader.Load(null, _directory.Path, trainSamples: 2, testSamples: null);

        Assert.True(whole.Train.Pixels.Span.Overlaps(cut.Train.Pixels.Span));
        Assert.Equal(2, cut.Train.Count);
        Assert.Same(whole.Test, cut.Test);
    }

    [Fact]
    public void A_head_keeps_its_whole_set_and_the_test_set_cached_for_the_next_load()
    {
        var (cut, test) = LoadCutKeepingOnlyItsTrainingHead();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var whole = DatasetLoader.Load(null, _directory.Path);

        Assert.True(whole.Train.Pixels.Span.Overlaps(cut.Pixels.Span));
        Assert.True(test.TryGetTarget(out Dataset? earlierTest));
        Assert.Same(earlierTest, whole.Test);
    }

    [Fact]
    public void A_rewritten_file_is_read_again()
    {
        var before = DatasetLoader.Load(null, _directory.Path).Train;
        _directory.Write("train-images-idx3-ubyte", IdxBytes.Images(4, 1, 2, 255, 255, 0, 0, 51, 51, 0, 255));
        _directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(1, 1, 0, 0));

        var after = DatasetLoader.Load(null, _directory.Path).Train;

        Assert.NotSame(before, after);
        Assert.Equal([1f, 1f, 0f, 0f, 0.2f, 0.2f, 0f, 1f], after.AllFeatures());
    }

    [Fact]
    public void A_training_only_load_reads_no_test_images()
    {
        string testImages = _directory.Write("t10k-images-idx3-ubyte.gz", [1, 2, 3]);

        var train = DatasetLoader.LoadTraining(null, _directory.Path, trainSamples: null);
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal(3, train.Count);
        Assert.Contains(testImages, error.Message);
    }

    [Fact]
    public void A_full_load_after_a_training_only_one_keeps_its_training_set_and_reads_the_test_set()
    {
        var alone = DatasetLoader.LoadTraining(null, _directory.Path, trainSamples: null);

        var (train, test) = DatasetLoader.Load(null, _directory.Path);

        Assert.Same(alone, train);
        Assert.Equal([1f, 0f], test!.AllFeatures());
        Assert.Same(train, DatasetLoader.LoadTraining(null, _directory.Path, trainSamples: null));
    }

    [Fact]
    public void A_training_only_load_counts_the_classes_of_the_test_labels_too()
    {
        _directory.Write("t10k-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(4)));

        var train = DatasetLoader.LoadTraining(null, _directory.Path, trainSamples: 2);

        Assert.Equal(5, train.ClassCount);
        Assert.Equal(2, train.Count);
    }

    [Fact]
    public void Test_images_of_another_size_read_after_the_training_set_name_its_shape()
    {
        string testImages = _directory.Write("t10k-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(1, 1, 1, 7)));
        DatasetLoader.LoadTraining(null, _directory.Path, trainSamples: null);

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(null, _directory.Path));

        Assert.Equal(
            $"{testImages}: images of 1x1, but the training images in {_directory.File("train-images-idx3-ubyte")} are 1x2",
            error.Message);
    }

    private (Dataset Cut, WeakReference<Dataset> Test) LoadCutKeepingOnlyItsTrainingHead()
    {
        var (train, test) = DatasetLoader.Load(null, _directory.Path, trainSamples: 1, testSamples: null);
        return (train, new WeakReference<Dataset>(test!));
    }
}
