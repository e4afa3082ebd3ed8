using DistTrainer.Shared.Compute;
using DistTrainer.Shared.Compute.Reference;
using Xunit;

namespace DistTrainer.Shared.Tests.Compute.Ilgpu;

/// <summary>The same data on the backend under test and on <see cref="ReferenceBackend"/>.</summary>
internal readonly record struct SlicePair(DeviceSlice Reference, DeviceSlice Subject);

/// <summary>
/// Runs operations on a backend under test and on <see cref="ReferenceBackend"/> with the same
/// inputs, and compares what they leave in their arrays. Disposes the arrays it allocated.
/// </summary>
internal sealed class ReferenceComparison(IComputeBackend subject) : IDisposable
{
    private readonly List<DeviceArray> arrays = [];

    public ReferenceBackend Reference { get; } = new();
    public IComputeBackend Subject => subject;

    public SlicePair Upload(float[] values)
    {
        var pair = Zeros(values.Length);
        Reference.Upload(values, pair.Reference);
        Subject.Upload(values, pair.Subject);
        return pair;
    }

    public SlicePair Zeros(int length)
    {
        var reference = Reference.Allocate(length);
        var tested = Subject.Allocate(length);
        arrays.Add(reference);
        arrays.Add(tested);
        return new SlicePair(reference.All, tested.All);
    }

    public float[] DownloadSubject(DeviceSlice slice)
    {
        var values = new float[slice.Length];
        Subject.Download(slice, values);
        return values;
    }

    /// <summary>|subject - reference| &lt;= tolerance * max(1, |reference|) for every element.</summary>
    public void AssertClose(SlicePair pair, double tolerance = 1e-5)
    {
        var expected = ReferenceBackend.View(pair.Reference);
        var actual = DownloadSubject(pair.Subject);
        for (int i = 0; i < actual.Length; i++)
        {
            double allowed = tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= allowed,
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R} (allowed error {allowed:G3})");
        }
    }

    public static float[] Random(int length, int seed, float low = -2f, float high = 2f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    public void Dispose()
    {
        foreach (var array in arrays) array.Dispose();
    }
}
