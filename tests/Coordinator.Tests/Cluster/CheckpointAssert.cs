using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>Compares two checkpoints tensor by tensor: weights, running statistics and optimizer state.</summary>
internal static class CheckpointAssert
{
    /// <summary>Every tensor of <paramref name="expectedPath"/> is in <paramref name="actualPath"/>: counts exactly, floats within |a-b| ≤ relative·max(1,|b|).</summary>
    public static void Close(string expectedPath, string actualPath, double relative, string label)
    {
        var (expected, expectedMetadata) = SafeTensorsFile.Read(expectedPath);
        var (actual, actualMetadata) = SafeTensorsFile.Read(actualPath);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Equal(expectedMetadata["step"], actualMetadata["step"]);
        foreach (var (name, tensor) in expected)
        {
            if (tensor.DType == "I64")
            {
                Assert.True(tensor.ToInt64() == actual[name].ToInt64(), $"{label}: {name} is {actual[name].ToInt64()}, expected {tensor.ToInt64()}");
                continue;
            }
            var want = tensor.ToFloats();
            var got = actual[name].ToFloats();
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= relative * Math.Max(1, Math.Abs(want[i])),
                    $"{label}: {name}[{i}] is {got[i]:G9}, expected {want[i]:G9}");
        }
    }

    /// <summary>The largest |a-b| over every float of two checkpoints of the same model (weights, statistics, optimizer state).</summary>
    public static double LargestDifference(string firstPath, string secondPath)
    {
        var (first, _) = SafeTensorsFile.Read(firstPath);
        var (second, _) = SafeTensorsFile.Read(secondPath);
        return first.Where(t => t.Value.DType != "I64")
            .Max(t => t.Value.ToFloats().Zip(second[t.Key].ToFloats(), (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max());
    }
}
