using Akka.Actor;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's checkpoint writes, one at a time, so that two writes never race to rename over the same file.
/// A periodic checkpoint that comes due while one is being written is skipped (the next one due catches up); a requested
/// one (the final --save) waits for the write in flight, and one request at most waits. It decides what to write next;
/// the actor captures the weights and runs the write.
/// </summary>
public sealed class CheckpointQueue(ILogger log)
{
    private CheckpointJob? _waiting;

    public bool Writing { get; private set; }

    /// <summary>The periodic write of <paramref name="path"/> to start now; null when one is being written.</summary>
    public CheckpointJob? Due(string path, long version)
    {
        if (Writing)
        {
            log.Debug("Checkpoint {Path} of step {Step} skipped: the previous one is still being written", path, version);
            return null;
        }
        Writing = true;
        return new CheckpointJob(path, null);
    }

    /// <summary>
    /// The write <paramref name="replyTo"/> asked for, to start now; null when it waits for the write in flight, or
    /// (with <paramref name="refusal"/> set) when another request is already waiting.
    /// </summary>
    public CheckpointJob? Requested(string path, IActorRef replyTo, out string? refusal)
    {
        refusal = null;
        var job = new CheckpointJob(path, replyTo);
        if (!Writing)
        {
            Writing = true;
            return job;
        }
        if (_waiting is not null)
        {
            refusal = $"checkpoint {path}: another checkpoint is already waiting to be written";
            return null;
        }
        _waiting = job;
        return null;
    }

    /// <summary>The write in flight is over: the request that waited for it, to start now, or null.</summary>
    public CheckpointJob? Written()
    {
        var next = _waiting;
        _waiting = null;
        Writing = next is not null;
        return next;
    }
}
