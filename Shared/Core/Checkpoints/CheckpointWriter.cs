using Serilog;

namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// Writes a captured checkpoint, trying again after a pause when the disk refuses it (full, gone read-only, a
/// directory that vanished) as <see cref="CheckpointRetry"/> says. Blocks the caller for the writes and the pauses:
/// the local trainer between two steps, the parameter server on a task of its own. Safe to use from any thread.
/// </summary>
public sealed class CheckpointWriter(CheckpointRetry retry, ILogger log)
{
    /// <summary>Null when the file is written; otherwise the sentence saying which checkpoint failed, how often, and why.</summary>
    public string? TryWrite(string path, CheckpointContent content)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                ModelCheckpoint.Write(path, content);
                log.Information("Checkpoint {Path} written at step {Step}", path, content.Step);
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt > retry.Retries)
                    return $"checkpoint {path} of step {content.Step} could not be written ({attempt} attempts): {e.Message}";
                log.Warning("Checkpoint {Path} of step {Step}: attempt {Attempt} of {Attempts} failed, trying again in {Delay} s: {Reason}",
                    path, content.Step, attempt, retry.Retries + 1, retry.Delay.TotalSeconds, e.Message);
                Thread.Sleep(retry.Delay);
            }
        }
    }
}
