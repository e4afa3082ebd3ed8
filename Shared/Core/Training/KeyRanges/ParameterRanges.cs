using DistTrainer.Core.Nn;

namespace DistTrainer.Core.Training.KeyRanges;

/// <summary>
/// The flat parameter vector cut into K contiguous ranges, each owned by one parameter-server shard. Cuts
/// fall only between tensors (a layer's weight and its bias may go apart, one tensor never), each at the
/// tensor boundary nearest to an equal share of the elements; a batch-norm layer's running statistics go
/// with the range that holds the layer's first tensor.
/// </summary>
public static class ParameterRanges
{
    /// <summary>The <paramref name="count"/> ranges of <paramref name="model"/>'s parameters.</summary>
    public static IReadOnlyList<ParameterRange> Split(Sequential model, int count)
    {
        var cuts = Cuts(model.ParameterLayout, count);
        var batchNorms = new List<int>[count];
        for (int i = 0; i < count; i++) batchNorms[i] = [];
        for (int b = 0; b < model.BatchNormLayers.Count; b++)
        {
            int offset = FirstOffset(model, model.BatchNormLayers[b].Index);
            batchNorms[RangeHolding(cuts, offset)].Add(b);
        }
        return [.. Enumerable.Range(0, count).Select(i => new ParameterRange(cuts[i], cuts[i + 1] - cuts[i], batchNorms[i]))];
    }

    /// <summary>
    /// The K + 1 offsets that bound the ranges: 0, the cuts, the parameter count. Each cut is the tensor
    /// boundary nearest to i * total / K that still leaves a tensor for every range before and after it.
    /// </summary>
    public static int[] Cuts(IReadOnlyList<TensorPlacement> tensors, int count)
    {
        Require(tensors.Count, count);
        int total = tensors.Count == 0 ? 0 : tensors[^1].Offset + tensors[^1].Length;
        var cuts = new int[count + 1];
        cuts[count] = total;
        int previous = 0;
        for (int i = 1; i < count; i++)
        {
            double target = (double)total * i / count;
            int best = previous + 1;
            for (int boundary = best + 1; boundary <= tensors.Count - (count - i); boundary++)
                if (Math.Abs(tensors[boundary].Offset - target) < Math.Abs(tensors[best].Offset - target))
                    best = boundary;
            cuts[i] = tensors[best].Offset;
            previous = best;
        }
        return cuts;
    }

    /// <summary>Refuses, before anything starts, a count of ranges the model cannot be cut into.</summary>
    public static void Require(Sequential model, int count) => Require(model.ParameterLayout.Count, count);

    private static void Require(int tensors, int count)
    {
        int most = Math.Max(1, tensors);
        if (count < 1 || count > most)
        {
            throw new InvalidInputException(
                $"--ps-shards {count}: the model has {tensors} parameter tensors and each key range needs at least one; expected 1 to {most}");
        }
    }

    // A layer without parameters of its own has its statistics folded by the range of the next tensor.
    private static int FirstOffset(Sequential model, int layer)
    {
        foreach (var tensor in model.ParameterLayout)
            if (LayerOf(tensor) >= layer)
                return tensor.Offset;
        return model.ParameterCount;
    }

    private static int LayerOf(TensorPlacement tensor) => int.Parse(tensor.Name.AsSpan(0, tensor.Name.IndexOf('.')),
        System.Globalization.CultureInfo.InvariantCulture);

    private static int RangeHolding(int[] cuts, int offset)
    {
        for (int i = cuts.Length - 2; i > 0; i--)
            if (offset >= cuts[i]) return i;
        return 0;
    }
}
