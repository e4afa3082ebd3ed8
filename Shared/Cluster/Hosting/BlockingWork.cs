namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// Runs work that blocks its thread (connecting with pauses between retries, loading a dataset, writing and syncing
/// a file) on a thread of its own. On the shared thread pool each such wait holds a pool thread, and the pool adds
/// threads only about twice a second when all are taken: a few at once held back every actor on the default
/// dispatcher for seconds, and the cluster's heartbeats with them: on Linux a socket's completions run on pool threads,
/// so a starved pool delays every message remoting receives, whatever dispatcher its actors run on.
/// </summary>
public static class BlockingWork
{
    public static Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
