using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Core.Tests.Training;

public sealed class FiniteTests
{
    public static TheoryData<float> NonFinite => [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC0_0001)];

    [Fact]
    public void Finite_values_of_every_kind_pass_at_every_length()
    {
        var random = new Random(7);
        for (int length = 0; length <= 100; length++)
        {
            var values = Enumerable.Range(0, length).Select(i => (i % 5) switch
            {
                0 => float.MaxValue,
                1 => -float.Epsilon,
                2 => 0f,
                3 => -0f,
                _ => (float)(random.NextDouble() * 2e38 - 1e38),
            }).ToArray();

            Assert.True(Finite.All(values));
            Assert.True(Finite.AllScalar(values));
        }
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void One_non_finite_value_anywhere_fails_the_vectorised_check_and_the_scalar_reference(float bad)
    {
        for (int length = 1; length <= 70; length++)
        {
            for (int at = 0; at < length; at++)
            {
                var values = Enumerable.Range(0, length).Select(i => i * 0.5f - 3f).ToArray();
                values[at] = bad;

                Assert.False(Finite.All(values), $"length {length}, {bad} at {at}");
                Assert.False(Finite.AllScalar(values), $"length {length}, {bad} at {at}");
            }
        }
    }

    [Fact]
    public void A_model_sized_vector_is_checked_to_its_last_value()
    {
        var values = new float[270_346];
        Assert.True(Finite.All(values));

        values[^1] = float.NaN;

        Assert.False(Finite.All(values));
    }
}
