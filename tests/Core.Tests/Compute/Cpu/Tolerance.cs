using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

internal static class Tolerance
{
    /// <summary>|actual - expected| within relative * (|expected| + scale) element by element, naming the first miss.</summary>
    public static void Close(double[] expected, float[] actual, double relative = 1e-5, double scale = 1)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = relative * (Math.Abs(expected[i]) + scale);
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
                Assert.Fail($"element {i}: expected {expected[i]} got {actual[i]} (bound {bound})");
        }
    }
}
