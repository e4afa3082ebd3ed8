using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Reference;
using Xunit;

namespace DistTrainer.Core.Tests.Compute;

/// <summary>
/// A backend under test beside <see cref="ReferenceBackend"/>, holding the same values, for running an
/// operation on both and comparing what they leave in their arrays. Disposes the arrays it allocated,
/// and the backend under test when it owns it.
/// </summary>
internal sealed class BackendComparison(IComputeBackend subject, int seed = 1, bool ownsSubject = false) : IDisposable
{
    private readonly Random _random = new(seed);
    private readonly List<DeviceArray> _arrays = [];

    public IComputeBackend Subject => subject;

    public ReferenceBackend Reference { get; } = new();

    /// <summary>Uniform values in [low, high), the same in both backends, from this comparison's seeded stream.</summary>
    public Pair Random(int length, float low = -1, float high = 1) => Of(Uniform(_random, length, low, high));

    /// <summary>Uniform values in [low, high) from their own seed.</summary>
    public static float[] RandomValues(int length, int seed, float low = -2f, float high = 2f) =>
        Uniform(new Random(seed), length, low, high);

    public Pair Of(float[] values)
    {
        var pair = Zeros(values.Length);
        Subject.Upload(values, pair.Subject);
        Reference.Upload(values, pair.Reference);
        return pair;
    }

    public Pair Zeros(int length)
    {
        var pair = new Pair(this, Subject.Allocate(length), Reference.Allocate(length));
        _arrays.Add(pair.SubjectStorage);
        _arrays.Add(pair.ReferenceStorage);
        return pair;
    }

    public float[] DownloadSubject(DeviceSlice slice)
    {
        var values = new float[slice.Length];
        Subject.Download(slice, values);
        return values;
    }

    /// <summary>
    /// |subject - reference| &lt;= tolerance * max(floor, |reference|) for every element: relative error,
    /// read as absolute error below <paramref name="floor"/>, where values that cancel lose their relative precision.
    /// </summary>
    public void AssertClose(Pair pair, double tolerance = 1e-5, double floor = 1)
    {
        var expected = pair.ReferenceValues;
        var actual = pair.SubjectValues;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double allowed = tolerance * Math.Max(floor, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= allowed,
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R} (allowed error {allowed:G3})");
        }
    }

    public void Dispose()
    {
        foreach (var array in _arrays) array.Dispose();
        if (ownsSubject) subject.Dispose();
    }

    private static float[] Uniform(Random random, int length, float low, float high)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    /// <summary>The same array in each backend.</summary>
    public sealed record Pair(BackendComparison Owner, DeviceArray SubjectStorage, DeviceArray ReferenceStorage)
    {
        public DeviceSlice Subject => SubjectStorage.All;

        public DeviceSlice Reference => ReferenceStorage.All;

        public float[] SubjectValues => Owner.DownloadSubject(Subject);

        public double[] ReferenceValues => ReferenceBackend.View(Reference).ToArray();
    }
}
