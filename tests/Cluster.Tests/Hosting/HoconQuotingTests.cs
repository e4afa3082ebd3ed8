using Akka.Configuration;
using DistTrainer.Core.Text;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>The node's configuration quotes its values as JSON strings: Akka's HOCON parser must read each back as itself.</summary>
public sealed class HoconQuotingTests
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
        var config = ConfigurationFactory.ParseString($"key = {JsonString.Quote(value)}");

        Assert.Equal(value, config.GetString("key"));
    }
}
