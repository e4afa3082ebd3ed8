using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class TorchParityTests
{
    public static TheoryData<string> Fixtures() => [.. TorchFixture.CaseNames()];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_step_matches_torch(string fixture) => TorchFixture.Load(fixture).AssertReplayMatchesTorch();

    [Fact]
    public void Every_optimizer_has_a_torch_fixture_with_defaults_and_one_with_weight_decay()
    {
        var settings = TorchFixture.CaseNames().Select(name => TorchFixture.Load(name).Settings).ToList();

        foreach (var name in OptimizerFactory.Names)
        {
            Assert.Contains(settings, s => s == new OptimizerSettings(name));
            Assert.Contains(settings, s => s.Name == name && s.WeightDecay is > 0f);
        }
    }
}
