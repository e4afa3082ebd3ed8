namespace DistTrainer.Core.Training;

/// <summary>What one batch (or shard) gave: the summed loss, the rows predicted right, the row count.</summary>
public readonly record struct BatchOutcome(double LossSum, int Correct, int Rows)
{
    public static BatchOutcome operator +(BatchOutcome a, BatchOutcome b) =>
        new(a.LossSum + b.LossSum, a.Correct + b.Correct, a.Rows + b.Rows);
}
