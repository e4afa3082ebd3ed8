using System.Text.Json;
using DistTrainer.Core.Text;
using Xunit;

namespace DistTrainer.Core.Tests.Text;

public sealed class JsonStringTests
{
    [Fact]
    public void Only_quotes_backslashes_and_control_characters_are_escaped_in_serde_json_s_form() =>
        Assert.Equal("\"a\\\"b\\\\c\\nd\\te\\u0001f\\b\\f\\r+<é\u007f\"", JsonString.Quote("a\"b\\c\nd\te\u0001f\b\f\r+<é\u007f"));

    [Theory]
    [InlineData("plain")]
    [InlineData("say \"hi\" \\ \u0000 \u001f")]
    [InlineData("grüße, 名前")]
    [InlineData("")]
    public void A_json_reader_reads_the_literal_back_as_the_value(string value) =>
        Assert.Equal(value, JsonSerializer.Deserialize<string>(JsonString.Quote(value)));
}
