using DistTrainer.Core.Compute.Ilgpu.Kernels;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Ilgpu.Kernels;

public sealed class DeviceMathTests
{
    /// <summary>Magnitudes from 1e-6 to 20, both signs, dense around the 0.2 switch between formulas.</summary>
    private static IEnumerable<float> Inputs()
    {
        for (double magnitude = 1e-6; magnitude < 20; magnitude *= 1.01)
        {
            yield return (float)magnitude;
            yield return -(float)magnitude;
        }
        for (float x = 0.19f; x < 0.21f; x += 1e-4f) yield return x;
    }

    [Fact]
    public void Tanh_is_within_two_ulps_of_double_precision()
    {
        double worst = Inputs().Max(x => Math.Abs(DeviceMath.Tanh(x) - Math.Tanh(x)) / Math.Abs(Math.Tanh(x)));
        Assert.True(worst < 2.5e-7, $"worst relative error {worst:G3}");
        Assert.Equal(0f, DeviceMath.Tanh(0f));
        Assert.Equal(1f, DeviceMath.Tanh(100f));
        Assert.Equal(-1f, DeviceMath.Tanh(-100f));
    }

    [Fact]
    public void Sigmoid_is_within_two_ulps_of_double_precision()
    {
        double worst = Inputs().Max(x =>
        {
            double expected = 1 / (1 + Math.Exp(-x));
            return Math.Abs(DeviceMath.Sigmoid(x) - expected) / expected;
        });
        Assert.True(worst < 2.5e-7, $"worst relative error {worst:G3}");
        Assert.Equal(0f, DeviceMath.Sigmoid(-200f));
        Assert.Equal(1f, DeviceMath.Sigmoid(200f));
    }
}
