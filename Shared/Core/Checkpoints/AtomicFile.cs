namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same directory, is
/// flushed to disk, and is renamed over the target. A reader, or a crash, sees the old file or the
/// new one, never a part of either; a failure on the way leaves the old file as it was.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        string target = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>The exception on the way is the one worth reporting, not a failure to tidy up after it.</summary>
    private static void DeleteQuietly(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
