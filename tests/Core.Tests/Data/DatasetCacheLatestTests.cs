using System.Runtime.CompilerServices;
using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

[Collection(LatestDatasetCollection.Name)]
public sealed class DatasetCacheLatestTests : IDisposable
{
    private readonly TempDirectory _first = new();
    private readonly TempDirectory _second = new();

    public DatasetCacheLatestTests()
    {
        foreach (var directory in new[] { _first, _second })
        {
            directory.Write("train-images-idx3-ubyte", IdxBytes.Images(3, 1, 2, 0, 255, 51, 102, 153, 204));
            directory.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0, 2, 1));
            directory.Write("t10k-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(1, 1, 2, 255, 0)));
            directory.Write("t10k-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(1)));
        }
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public void The_latest_training_set_outlives_its_users_until_other_files_are_loaded()
    {
        var first = LoadAndLetGo(_first);
        Collect();
        Assert.True(IsWhatALoadGets(first, _first));

        LoadAndLetGo(_second);
        Collect();

        Assert.False(first.TryGetTarget(out _));
    }

    // Out of line, so that no reference to a dataset is left in the test's own frame when it collects.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Dataset> LoadAndLetGo(TempDirectory directory) =>
        new(DatasetLoader.LoadTraining(null, directory.Path, trainSamples: null));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsWhatALoadGets(WeakReference<Dataset> kept, TempDirectory directory) =>
        kept.TryGetTarget(out var set) && ReferenceEquals(set, DatasetLoader.LoadTraining(null, directory.Path, trainSamples: null));

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
