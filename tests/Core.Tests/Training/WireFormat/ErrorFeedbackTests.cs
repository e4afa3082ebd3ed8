using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Core.Tests.Training.WireFormat;

public class ErrorFeedbackTests
{
    private const int Parameters = 257;
    private static readonly ShardPayloadLayout Layout = new(Parameters, []);

    /// <summary>
    /// Gradients whose low bits bf16 cannot hold (1 + 2^-10 is not a bfloat16): without feedback each step loses
    /// the same 2^-10, so the error of the sum grows with the steps; with it, the error stays within one rounding.
    /// </summary>
    [Theory]
    [InlineData(WireDtype.Bf16)]
    [InlineData(WireDtype.Fp16)]
    public void The_sum_of_what_arrives_tracks_the_exact_sum_within_one_rounding(WireDtype dtype)
    {
        var packing = new PackedShardPayload(Layout, dtype);
        var feedback = new ErrorFeedback(packing);
        var random = new Random(11);
        var exact = new double[Parameters];
        var withFeedback = new double[Parameters];
        var without = new double[Parameters];
        var packed = new float[packing.Length];
        var decoded = new float[Layout.Length];
        double worstWith = 0, worstWithoutAtEnd = 0;
        for (int step = 0; step < 2000; step++)
        {
            var gradient = Enumerable.Range(0, Parameters).Select(_ => (float)(1 + 0.01 * random.NextDouble())).ToArray();
            for (int i = 0; i < Parameters; i++) exact[i] += gradient[i];

            packing.Pack((float[])gradient.Clone(), packed);
            packing.Unpack(packed, decoded);
            for (int i = 0; i < Parameters; i++) without[i] += decoded[i];

            feedback.Pack(shard: 0, gradient, packed);
            packing.Unpack(packed, decoded);
            for (int i = 0; i < Parameters; i++) withFeedback[i] += decoded[i];
            for (int i = 0; i < Parameters; i++) worstWith = Math.Max(worstWith, Math.Abs(withFeedback[i] - exact[i]));
        }
        for (int i = 0; i < Parameters; i++) worstWithoutAtEnd = Math.Max(worstWithoutAtEnd, Math.Abs(without[i] - exact[i]));

        double ulp = dtype == WireDtype.Bf16 ? 1.0 / 128 : 1.0 / 1024; // spacing of the format just above 1
        Assert.True(worstWith <= ulp, $"with feedback the sum was off by up to {worstWith} (one rounding: {ulp / 2})");
        Assert.True(worstWithoutAtEnd > 20 * ulp, $"without feedback the sum was off by only {worstWithoutAtEnd}");
    }

    [Fact]
    public void Each_shard_keeps_its_own_residual()
    {
        var feedback = new ErrorFeedback(new PackedShardPayload(Layout, WireDtype.Bf16));
        var packed = new float[feedback.Packing.Length];
        feedback.Pack(shard: 3, Filled(1 + 1f / 512), packed);

        Assert.True(feedback.Residual(5).IsEmpty);
        Assert.Equal(1f / 512, feedback.Residual(3)[0]);
        feedback.Pack(shard: 5, Filled(1f), packed);
        Assert.Equal(0f, feedback.Residual(5)[0]);
        Assert.Equal(1f / 512, feedback.Residual(3)[0]);
    }

    [Fact]
    public void Two_runs_of_the_same_gradients_pack_the_same_bits()
    {
        float[] Run()
        {
            var feedback = new ErrorFeedback(new PackedShardPayload(Layout, WireDtype.Bf16));
            var random = new Random(2);
            var packed = new float[feedback.Packing.Length];
            for (int step = 0; step < 50; step++)
                feedback.Pack(step % 3, Enumerable.Range(0, Parameters).Select(_ => (float)random.NextDouble()).ToArray(), packed);
            return packed;
        }
        Assert.Equal(Run().Select(BitConverter.SingleToUInt32Bits), Run().Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void Packing_by_key_ranges_rounds_and_carries_over_exactly_what_one_range_does()
    {
        var whole = new ErrorFeedback(new PackedShardPayload(Layout, WireDtype.Bf16));
        var ranged = new ErrorFeedback(new PackedShardPayload(Layout, WireDtype.Bf16, [0, Parameters / 3, Parameters / 3 + 1, Parameters]));
        var random = new Random(4);
        float[] packedWhole = new float[whole.Packing.Length], packedRanged = new float[ranged.Packing.Length];
        float[] fromWhole = new float[Layout.Length], fromRanged = new float[Layout.Length];
        for (int step = 0; step < 20; step++)
        {
            var gradients = Enumerable.Range(0, Layout.Length).Select(_ => (float)random.NextDouble()).ToArray();
            whole.Pack(0, (float[])gradients.Clone(), packedWhole);
            ranged.Pack(0, gradients, packedRanged);
            whole.Packing.Unpack(packedWhole, fromWhole);
            ranged.Packing.Unpack(packedRanged, fromRanged);
            Assert.Equal(fromWhole, fromRanged);
        }
        Assert.Equal(whole.Residual(0).ToArray(), ranged.Residual(0).ToArray());
    }

    [Fact]
    public void An_overflowing_gradient_leaves_no_residual_to_spoil_later_steps()
    {
        var feedback = new ErrorFeedback(new PackedShardPayload(Layout, WireDtype.Fp16));
        var packed = new float[feedback.Packing.Length];
        var decoded = new float[Layout.Length];
        feedback.Pack(shard: 0, Filled(1e6f), packed);
        Assert.All(feedback.Residual(0).ToArray(), r => Assert.Equal(0f, r));

        feedback.Pack(shard: 0, Filled(0.5f), packed);
        feedback.Packing.Unpack(packed, decoded);
        Assert.Equal(0.5f, decoded[0]);
    }

    private static float[] Filled(float value) => Enumerable.Repeat(value, Parameters).ToArray();
}
