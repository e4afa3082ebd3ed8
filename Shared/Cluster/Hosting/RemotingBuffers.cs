namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// Which allocator remoting's DotNetty takes its buffers from. Its default is a pool shared by the whole process, which
/// gives every arena a thread touches a 16 MiB chunk, kept while the thread's cache lives: the embedded default's process
/// held four (64 MiB of its heap), and a worker held one more after each fresh node it started when its coordinator was
/// lost (docs/faults.md). Remoting here carries only control messages of a few hundred bytes (tensors take the data plane),
/// so a pool buys nothing: each read and write gets an array of its own, which the collector takes back.
/// </summary>
public static class RemotingBuffers
{
    /// <summary>DotNetty reads its allocator choice from this environment variable, once, when it first allocates.</summary>
    public const string AllocatorVariable = "io.netty.allocator.type";

    /// <summary>
    /// Chooses the unpooled allocator for this process unless the environment already names one; only a call before the
    /// process's first node starts takes effect.
    /// </summary>
    public static void UseUnpooled()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AllocatorVariable)))
            Environment.SetEnvironmentVariable(AllocatorVariable, "unpooled");
    }
}
