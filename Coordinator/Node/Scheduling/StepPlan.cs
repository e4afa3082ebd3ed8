using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.Scheduling;

/// <summary>
/// One attempt of one step as the coordinator planned it: the global batch's dataset rows, the
/// loss normalizer of that batch, the shards, which worker computes each, and which are in.
/// </summary>
public sealed class StepPlan(long step, int attempt, int[] batch, int normalizer, Shard[] shards)
{
    public long Step { get; } = step;
    public int Attempt { get; } = attempt;
    public int[] Batch { get; } = batch;
    public int Normalizer { get; } = normalizer;
    public Shard[] Shards { get; } = shards;
    public string[] AssignedTo { get; } = new string[shards.Length];
    public bool[] Arrived { get; } = new bool[shards.Length];
    public double SlowestComputeSeconds { get; set; }

    /// <summary>The workers whose result for a shard held NaN/Inf.</summary>
    public Dictionary<int, HashSet<string>> NotFiniteOn { get; } = new();
}
