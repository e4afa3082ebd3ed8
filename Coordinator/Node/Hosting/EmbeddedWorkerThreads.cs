namespace DistTrainer.Coordinator.Hosting;

/// <summary>
/// The CPU-backend threads of each embedded worker when `--threads` is not given: the machine's processors
/// shared out among the workers, at least one each. Every embedded worker computes its shard at the same time
/// as the others, so one processor count per worker puts workers x processors GEMM threads (each spinning
/// between operations) on the processors, and on two cores that was measured as the largest cost of a step.
/// The GEMM's result does not depend on its thread count, so this changes no result.
/// </summary>
public static class EmbeddedWorkerThreads
{
    /// <param name="requested">`--threads`: 0 for the default.</param>
    public static int For(int requested, int workers, int processors) =>
        requested > 0 ? requested : Math.Max(1, processors / Math.Max(1, workers));
}
