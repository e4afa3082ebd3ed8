using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

public class IgnoredSignalsTests
{
    [Theory]
    // A background job of a shell without job control: SIGINT, SIGQUIT and (.NET's own) SIGPIPE ignored.
    [InlineData("Name:\tdotnet\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001006\nSigCgt:\t0000000000004002\n", true)]
    [InlineData("Name:\tdotnet\nSigIgn:\t0000000000001000\n", false)]
    [InlineData("Name:\tdotnet\n", false)]
    [InlineData("SigIgn:\tnot hex\n", false)]
    public void Sigint_is_ignored_when_its_bit_is_set_in_the_SigIgn_mask(string status, bool ignored) =>
        Assert.Equal(ignored, IgnoredSignals.Includes(status, IgnoredSignals.Sigint));

    [Fact]
    public void Sigquit_is_the_next_bit() =>
        Assert.True(IgnoredSignals.Includes("SigIgn:\t0000000000000004\n", 3));
}
