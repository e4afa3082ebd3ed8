using DistTrainer.Core.CommandLine;
using Xunit;

namespace DistTrainer.Core.Tests.CommandLine;

public class ArgumentReaderTests
{
    private static ArgumentReader Read(params string[] args) => new(args, new HashSet<string> { "--no-shuffle" });

    [Fact]
    public void Reads_values_flags_and_negative_numbers()
    {
        var reader = Read("--lr", "-0.5", "--no-shuffle", "--steps", "12", "--layers", "linear:2:1");
        Assert.Equal(-0.5f, reader.Float("--lr"));
        Assert.True(reader.Flag("--no-shuffle"));
        Assert.Equal(12L, reader.Integer("--steps", min: 1L));
        Assert.Equal("linear:2:1", reader.String("--layers"));
        Assert.Null(reader.Integer("--epochs", min: 1));
        Assert.Equal("x", reader.String("--loss", "x"));
        reader.RejectUnread();
    }

    [Theory]
    [InlineData(new[] { "--steps", "0" }, "--steps: 0 is below the minimum 1")]
    [InlineData(new[] { "--steps", "ten" }, "--steps: 'ten' is not an integer")]
    [InlineData(new[] { "--lr", "nan" }, "--lr: 'nan' is not a finite number")]
    public void Rejects_bad_values_naming_the_option(string[] args, string message)
    {
        var reader = Read(args);
        var e = Assert.Throws<InvalidInputException>(() =>
        {
            reader.Integer("--steps", min: 1);
            reader.Float("--lr");
        });
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData(new[] { "--lr" }, "--lr: needs a value")]
    [InlineData(new[] { "--lr", "1", "--lr", "2" }, "--lr: given twice")]
    [InlineData(new[] { "lr", "1" }, "'lr': expected an option (--name value)")]
    public void Rejects_malformed_command_lines(string[] args, string message) =>
        Assert.Equal(message, Assert.Throws<InvalidInputException>(() => Read(args)).Message);

    [Fact]
    public void Names_an_option_nobody_read()
    {
        var reader = Read("--lr", "1", "--learning-rate", "2");
        reader.Float("--lr");
        Assert.Equal("--learning-rate: unknown option", Assert.Throws<InvalidInputException>(reader.RejectUnread).Message);
    }
}
