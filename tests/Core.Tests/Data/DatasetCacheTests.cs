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

    private (Dataset Cut, WeakReference<Dataset> Test) LoadCutKeepingOnlyItsTrainingHead()
    {
        var (train, test) = DatasetLoader.Load(null, _directory.Path, trainSamples: 1, testSamples: null);
        return (train, new WeakReference<Dataset>(test!));
    }
}
