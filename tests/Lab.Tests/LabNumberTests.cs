using DistTrainer.Coordinator.Lab;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LabNumberTests
{
    [Theory]
    [InlineData(0.84567, "0.846")]
    [InlineData(0.0, "0.000")]
    [InlineData(2.5, "2.500")]
    [InlineData(999.4, "999.400")]
    [InlineData(19761.482, "2.0e4")]
    [InlineData(0.000021, "2.1e-5")]
    [InlineData(-0.0004, "-4.0e-4")]
    public void Writes_three_decimals_unless_they_would_hide_the_value(double value, string expected) =>
        Assert.Equal(expected, LabNumber.Format(value));

    [Fact]
    public void Writes_a_missing_value_as_a_dash() => Assert.Equal("–", LabNumber.Format(null));

    [Fact]
    public void Writes_a_share_as_a_whole_percentage() => Assert.Equal("69%", LabNumber.Percent(0.6912));
}
