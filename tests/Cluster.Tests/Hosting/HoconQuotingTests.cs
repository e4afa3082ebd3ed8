using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

public sealed class HoconStringTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("akka.tcp://disttrainer@node-1.example:4053")]
    [InlineData("say \"hi\"")]
    [InlineData(@"back\slash")]
    [InlineData("tab\tand\nnewline\u0001")]
    [InlineData("a # comment? // and ${substitution}")]
    [InlineData("grüße, 名前")]
    [InlineData("")]
    public void A_quoted_value_reads_back_as_itself(string value)
    {
        var config = ConfigurationFactory.ParseString($"key = {HoconString.Quote(value)}");

        Assert.Equal(value, config.GetString("key"));
    }

    [Fact]
    public void Only_quotes_backslashes_and_control_characters_are_escaped() =>
        Assert.Equal("\"a\\\"b\\\\c\\u000ad+<é\"", HoconString.Quote("a\"b\\c\nd+<é"));
}
