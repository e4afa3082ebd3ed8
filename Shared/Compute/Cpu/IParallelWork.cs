namespace DistTrainer.Shared.Compute.Cpu;

/// <summary>Work split into numbered parts that <see cref="WorkerPool"/> runs at the same time.</summary>
internal interface IParallelWork
{
    void Execute(int part);
}
