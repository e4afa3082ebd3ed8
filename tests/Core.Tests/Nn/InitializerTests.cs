using DistTrainer.Core.Nn.Init;
using Xunit;

namespace DistTrainer.Core.Tests.Nn;

public class InitializerTests
{
    private static (float[] Weight, float[] Bias) Draw(string init, int fanIn = 400, int fanOut = 300)
    {
        var weight = new float[fanIn * fanOut];
        var bias = new float[fanOut];
        Array.Fill(bias, 5f);
        Initializer.Parse(init, "test").Fill(weight, bias, fanIn, fanOut, new SeededRandom(9));
        return (weight, bias);
    }

    private static double Std(float[] v)
    {
        double mean = v.Average(x => (double)x);
        return Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
    }

    [Theory]
    [InlineData("xavier", 0.053452248)]          // bound sqrt(6/700), std = bound / sqrt(3)
    [InlineData("xavier-normal", 0.053452248)]   // sqrt(2/700)
    [InlineData("he", 0.070710678)]              // bound sqrt(6/400), std = bound / sqrt(3)
    [InlineData("he-normal", 0.070710678)]       // sqrt(2/400)
    [InlineData("normal:0.01", 0.01)]
    [InlineData("default", 0.028867513)]         // U(-1/sqrt(400), 1/sqrt(400)): std = 0.05 / sqrt(3)
    public void Weights_have_the_standard_deviation_of_their_rule(string init, double std)
    {
        var (weight, _) = Draw(init);
        Assert.InRange(Std(weight), std * 0.97, std * 1.03);
    }

    [Theory]
    [InlineData("zeros")]
    [InlineData("xavier")]
    [InlineData("he-normal")]
    [InlineData("normal:0.5")]
    public void Biases_start_at_zero_except_under_pytorchs_default(string init)
    {
        Assert.All(Draw(init).Bias, b => Assert.Equal(0f, b));
        var (_, bias) = Draw("default");
        Assert.All(bias, b => Assert.InRange(b, -0.05f, 0.05f));
        Assert.True(Std(bias) > 0.02);
    }

    [Fact]
    public void Uniform_rules_stay_within_their_bound()
    {
        Assert.All(Draw("he").Weight, w => Assert.InRange(w, -0.1225f, 0.1225f));
        Assert.All(Draw("default").Weight, w => Assert.InRange(w, -0.05f, 0.05f));
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        Assert.Equal(Draw("he-normal").Weight, Draw("he-normal").Weight);
        Assert.All(Draw("zeros").Weight, w => Assert.Equal(0f, w));
    }
}
