using Akka.Actor;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's checkpoint writes, one at a time, so that two writes never race to rename over the same file.
/// A periodic checkpoint that comes due while one is being written is skipped (the next one due catches up); a requested
/// one (the final --save) waits for the write in flight, and one request at most waits. A periodic write that fails for
/// good ends the run: nothing is written after it, so a final --save that waited for it cannot turn the run's end into a
/// success or into a failure of its own, whichever the timing. It decides what to write next; the actor captures the
/// weights and runs the write.
/// </summary>
public sealed class CheckpointQueue(ILogger log)
{
    private CheckpointJob? _waiting;

    public bool Writing { get; private set; }

    /// <summary>Why the periodic checkpoint that ended the run could not be written; null while none failed.</summary>
    public string? Failure { get; private set; }

    /// <summary>The periodic write of <paramref name="path"/> to start now; null when one is being written.</summary>
    public CheckpointJob? Due(string path, long version)
    {
        if (Failure is not null) return null;
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
    /// (with <paramref name="refusal"/> set) when another request is already waiting or a periodic write failed (the
    /// <see cref="Failure"/>).
    /// </summary>
    public CheckpointJob? Requested(string path, IActorRef replyTo, out string? refusal)
    {
        refusal = Failure;
        if (Failure is not null) return null;
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

    /// <summary>
    /// The periodic write in flight failed for good: the run ends with <paramref name="failure"/>. The request that waited
    /// for it, if any, is not written: it is returned to be told why.
    /// </summary>
    public CheckpointJob? Failed(string failure)
    {
        Failure = failure;
        var waiting = _waiting;
        _waiting = null;
        Writing = false;
        return waiting;
    }
}
