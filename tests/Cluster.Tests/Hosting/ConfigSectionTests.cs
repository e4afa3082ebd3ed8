using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

public class ConfigSectionTests
{
    private static ConfigSection Section(string hocon) => ConfigSection.Of(ConfigurationFactory.ParseString(hocon), "disttrainer.test");

    [Fact]
    public void Durations_and_counts_are_read_as_written()
    {
        var section = Section("disttrainer.test { short = 100ms, long = 2m, tries = 4, none = 0 }");

        Assert.Equal("disttrainer.test", section.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(100), section.Duration("short"));
        Assert.Equal(TimeSpan.FromMinutes(2), section.Duration("long"));
        Assert.Equal(4, section.Count("tries"));
        Assert.Equal(0, section.Count("none"));
    }

    [Theory]
    [InlineData("disttrainer.test { }", "disttrainer.test.wait: missing from the configuration")]
    [InlineData("disttrainer.test.wait = soon", "disttrainer.test.wait: 'soon' is not a duration such as 10s or 100ms")]
    [InlineData("disttrainer.test.wait = 0s", "disttrainer.test.wait: '0s' is not a duration above zero")]
    [InlineData("disttrainer.test.wait = -5s", "disttrainer.test.wait: '-5s' is not a duration such as 10s or 100ms")]
    [InlineData("disttrainer.test.wait = infinite", "disttrainer.test.wait: 'infinite' is not a duration such as 10s or 100ms")]
    public void A_missing_or_unusable_duration_is_named_by_its_full_path(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Section(hocon).Duration("wait"));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("disttrainer.test.tries = many", "disttrainer.test.tries: 'many' is not a whole number of zero or more")]
    [InlineData("disttrainer.test.tries = -1", "disttrainer.test.tries: '-1' is not a whole number of zero or more")]
    public void An_unusable_count_is_named_by_its_full_path(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Section(hocon).Count("tries"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_missing_section_is_named()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigSection.Of(ConfigurationFactory.ParseString("disttrainer.other.x = 1"), "disttrainer.test"));
        Assert.Equal("disttrainer.test: missing from the configuration (every node's defaults are in deploy/disttrainer.hocon)", e.Message);
    }
}
