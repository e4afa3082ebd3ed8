using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>A checkpoint a takeover can resume from, and the step it holds.</summary>
public sealed record ResumePoint(string Path, long Step)
{
    /// <summary>
    /// The newest of the checkpoints at <paramref name="paths"/> that exist and can be read, by the step each holds; on a
    /// tie the first given. Null when there is none. One that cannot be read is passed over with a warning: a takeover
    /// resumes from the newest state it can.
    /// </summary>
    public static ResumePoint? Newest(IEnumerable<string?> paths, ILogger log)
    {
        ResumePoint? newest = null;
        foreach (var path in paths)
        {
            if (path is null || !File.Exists(path)) continue;
            long step;
            try
            {
                step = ModelCheckpoint.ReadStep(path);
            }
            catch (InvalidInputException e)
            {
                log.Warning("Takeover: passed over checkpoint {Path}: {Reason}", path, e.Message);
                continue;
            }
            if (newest is null || step > newest.Step) newest = new ResumePoint(path, step);
        }
        return newest;
    }
}
