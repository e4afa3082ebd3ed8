namespace DistTrainer.Core.Nn.Layers;

/// <summary>
/// What a forward pass needs to know beyond its input: whether it trains (batch statistics,
/// dropout) or infers, and where the rows sit in the global batch of which step, so that
/// random masks do not depend on how a batch is split.
/// </summary>
public readonly record struct StepContext(bool Training, long Step, ulong Seed, int RowOffset)
{
    public static StepContext Inference => new(false, 0, 0, 0);
}
