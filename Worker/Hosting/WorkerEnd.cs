namespace DistTrainer.Worker.Hosting;

/// <summary>How a worker's part in a run ended: the worker program turns each into its exit code.</summary>
public enum WorkerEnd
{
    /// <summary>The run finished and this worker left the cluster.</summary>
    Finished,

    /// <summary>No coordinator accepted it in time, it was refused, or it could not prepare.</summary>
    GaveUp,

    /// <summary>A signal asked it to stop; it left the cluster first.</summary>
    Interrupted,
}
