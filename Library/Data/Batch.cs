namespace DistTrainer.Data;

/// <summary>
/// One batch of a <see cref="DataLoader"/>: the inputs X [rows, features], the labels Y [rows] (class indices as
/// floats, the target form of cross-entropy) and the sample indices they were drawn from.
/// </summary>
public sealed record Batch(Tensor X, Tensor Y, int[] Indices)
{
    /// <summary>Splits the batch into inputs and labels: <c>foreach (var (x, y) in loader)</c>.</summary>
    public void Deconstruct(out Tensor x, out Tensor y)
    {
        x = X;
        y = Y;
    }
}
