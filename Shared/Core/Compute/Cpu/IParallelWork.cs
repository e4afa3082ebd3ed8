namespace DistTrainer.Core.Compute.Cpu;

/// <summary>Work split into numbered parts that <see cref="WorkerPool"/> runs at the same time.</summary>
internal interface IParallelWork
{
    /// <summary>
    /// Runs one part. Which thread runs which part varies from call to call, so a part's result
    /// must not depend on <paramref name="thread"/>: it only picks the thread's own scratch space.
    /// </summary>
    void Execute(int part, int thread);
}
