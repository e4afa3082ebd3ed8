using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Training.KeyRanges;
using Xunit;

namespace DistTrainer.Core.Tests.Training.KeyRanges;

public sealed class ParameterRangesTests
{
    private static IReadOnlyList<ParameterRange> Split(string layers, int count)
    {
        using var model = new Sequential(ModelSpec.Parse(layers), new ReferenceBackend(), 1);
        return ParameterRanges.Split(model, count);
    }

    private static (int Offset, int Length)[] Bounds(IReadOnlyList<ParameterRange> ranges) =>
        [.. ranges.Select(r => (r.Offset, r.Length))];

    [Fact]
    public void The_fashion_mlp_in_two_halves_cut_inside_the_first_weight_matrix()
    {
        // 0.weight 200704, 0.bias 256, 2.weight 2560, 2.bias 10: 203530 in two halves of 101765.
        Assert.Equal([(0, 101765), (101765, 101765)], Bounds(Split("linear:784:256,relu,linear:256:10", 2)));
    }

    [Fact]
    public void Ranges_of_a_count_that_does_not_divide_the_vector_are_one_element_apart_at_most()
    {
        Assert.Equal([(0, 50882), (50882, 50883), (101765, 50882), (152647, 50883)],
            Bounds(Split("linear:784:256,relu,linear:256:10", 4)));
    }

    [Fact]
    public void One_range_is_the_whole_vector()
    {
        var range = Assert.Single(Split("linear:2:3,batchnorm:3,linear:3:2", 1));
        Assert.Equal(new ParameterRange(0, 23, [0]) with { BatchNorms = range.BatchNorms }, range);
        Assert.Equal([0], range.BatchNorms);
    }

    [Fact]
    public void Batch_norm_statistics_go_with_the_range_of_the_layers_first_parameter()
    {
        // 0.weight 6, 0.bias 3, 1.weight 3 (at 9), 1.bias 3 (at 12), 2.weight 6, 2.bias 2: 23 in 11 and 12, the batch-norm
        // layer's weight in the first and its bias in the second.
        var ranges = Split("linear:2:3,batchnorm:3,linear:3:2", 2);

        Assert.Equal([(0, 11), (11, 12)], Bounds(ranges));
        Assert.Equal([0], ranges[0].BatchNorms);
        Assert.Empty(ranges[1].BatchNorms);
    }

    [Fact]
    public void Three_ranges_the_middle_one_holding_the_batch_norm_layer()
    {
        var ranges = Split("linear:2:3,batchnorm:3,linear:3:2", 3);

        Assert.Equal([(0, 7), (7, 8), (15, 8)], Bounds(ranges));
        Assert.Equal([[], [0], []], ranges.Select(r => r.BatchNorms.ToArray()));
    }

    [Fact]
    public void Ranges_cover_the_vector_in_order_without_gaps_for_every_count()
    {
        using var model = new Sequential(ModelSpec.Parse("linear:4:8,batchnorm:8,relu,linear:8:8,batchnorm:8,linear:8:3"),
            new ReferenceBackend(), 1);
        for (int count = 1; count <= model.ParameterCount; count++)
        {
            var ranges = ParameterRanges.Split(model, count);
            Assert.Equal(count, ranges.Count);
            Assert.Equal(0, ranges[0].Offset);
            Assert.All(ranges, r => Assert.True(r.Length > 0));
            Assert.All(ranges.Skip(1).Zip(ranges), pair => Assert.Equal(pair.Second.Offset + pair.Second.Length, pair.First.Offset));
            Assert.Equal(model.ParameterCount, ranges[^1].Offset + ranges[^1].Length);
            Assert.InRange(ranges.Max(r => r.Length) - ranges.Min(r => r.Length), 0, 1);
            Assert.Equal([0, 1], ranges.SelectMany(r => r.BatchNorms).Order());
        }
    }

    [Theory]
    [InlineData(24)]
    [InlineData(0)]
    public void More_ranges_than_parameters_or_none_are_refused_with_a_line_naming_the_option(int count)
    {
        using var model = new Sequential(ModelSpec.Parse("linear:2:3,batchnorm:3,linear:3:2"), new ReferenceBackend(), 1);

        var error = Assert.Throws<InvalidInputException>(() => ParameterRanges.Split(model, count));

        Assert.Equal($"--ps-shards {count}: the model has 23 parameters and each key range needs at least one; expected 1 to 23", error.Message);
    }
}
