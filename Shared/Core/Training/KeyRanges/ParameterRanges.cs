using DistTrainer.Core.Nn;

namespace DistTrainer.Core.Training.KeyRanges;

/// <summary>
/// The flat parameter vector cut into K contiguous ranges, each owned by one parameter-server shard, of equal element counts
/// (one element apart at most). A range's bytes on the wire and its optimizer work are then its share:
/// cuts only between tensors cannot give that when one tensor holds most of the model (the default MLP's first weight matrix
/// holds three quarters of it), and a range's node would carry more than ring all-reduce's bytes. Every optimizer rule is
/// element-wise, so a cut inside a tensor changes no bit. A batch-norm layer's running statistics go with the range that
/// holds the layer's first parameter.
/// </summary>
public static class ParameterRanges
{
    /// <summary>The <paramref name="count"/> ranges of <paramref name="model"/>'s parameters.</summary>
    public static IReadOnlyList<ParameterRange> Split(Sequential model, int count)
    {
        var cuts = Cuts(model.ParameterCount, count);
        var batchNorms = new List<int>[count];
        for (int i = 0; i < count; i++) batchNorms[i] = [];
        for (int b = 0; b < model.BatchNormLayers.Count; b++)
        {
            int offset = FirstOffset(model, model.BatchNormLayers[b].Index);
            batchNorms[RangeHolding(cuts, offset)].Add(b);
        }
        return [.. Enumerable.Range(0, count).Select(i => new ParameterRange(cuts[i], cuts[i + 1] - cuts[i], batchNorms[i]))];
    }

    /// <summary>The K + 1 offsets that bound the ranges of <paramref name="parameters"/> elements: 0, the cuts, the count.</summary>
    public static int[] Cuts(int parameters, int count)
    {
        Require(parameters, count);
        return [.. Enumerable.Range(0, count + 1).Select(i => (int)((long)parameters * i / count))];
    }

    /// <summary>Refuses, before anything starts, a count of ranges the model cannot be cut into.</summary>
    public static void Require(Sequential model, int count) => Require(model.ParameterCount, count);

    private static void Require(int parameters, int count)
    {
        int most = Math.Max(1, parameters);
        if (count < 1 || count > most)
        {
            throw new InvalidInputException(
                $"--ps-shards {count}: the model has {parameters} parameters and each key range needs at least one; expected 1 to {most}");
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
