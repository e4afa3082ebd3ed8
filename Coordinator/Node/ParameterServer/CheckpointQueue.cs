using Akka.Actor;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's checkpoint writes, one at a time, so that two writes never race to rename over the same file.
/// A periodic checkpoint that comes due while one is being written is skipped (the next one due catches up); a requested
/// one (the final --save) waits for the write in flight, and one request at most waits. A periodic write that fails for
/// good ends the run: nothing is written after it, so a final --save that waited for it cannot turn the run's end into a
/// success or into a failure of its own, whichever the timing. It decides what to write next; the actor captures the
/// weights and runs the write. A write still under way after <see cref="StallWarning"/> (a stalled disk or network volume)
/// is said once, in a warning, when it first makes a periodic checkpoint be skipped: the run then trains with no newer
/// checkpoint, and no standby snapshot either, until the write ends.
/// </summary>
/// <param name="time">The clock; the system's when null.</param>
public sealed class CheckpointQueue(ILogger log, TimeProvider? time = null)
{
    /// <summary>A checkpoint of this model is written in milliseconds: a write this long is a disk that stalls, not a slow one.</summary>
    public static readonly TimeSpan StallWarning = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private CheckpointJob? _waiting;
    private DateTimeOffset _writingSince;
    private bool _stallSaid;

    public bool Writing { get; private set; }

    /// <summary>Why the periodic checkpoint that ended the run could not be written; null while none failed.</summary>
    public string? Failure { get; private set; }

    /// <summary>The periodic write of <paramref name="path"/> to start now; null when one is being written.</summary>
    public CheckpointJob? Due(string path, long version)
    {
        if (Failure is not null) return null;
        if (Writing)
        {
            var under = _time.GetUtcNow() - _writingSince;
            if (under >= StallWarning && !_stallSaid)
            {
                _stallSaid = true;
                log.Warning("Checkpoint {Path} of step {Step} skipped: the previous write has been under way for {Seconds:F0} s (a stalled " +
                            "disk?); no newer checkpoint or standby snapshot is taken until it ends", path, version, under.TotalSeconds);
            }
            else log.Debug("Checkpoint {Path} of step {Step} skipped: the previous one is still being written", path, version);
            return null;
        }
        return Start(new CheckpointJob(path, null));
    }

    private CheckpointJob Start(CheckpointJob job)
    {
        Writing = true;
        _writingSince = _time.GetUtcNow();
        _stallSaid = false;
        return job;
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
        if (!Writing) return Start(job);
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
        Writing = false;
        return next is null ? null : Start(next);
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
