namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// Replaces a file all at once and durably: the content goes to a temporary file in the same directory,
/// is flushed to disk, is renamed over the target, and the directory is flushed so that the rename itself
/// survives a crash. A reader, or a crash, sees the old file or the new one, never a part of either; a
/// failure on the way leaves the old file as it was and no temporary file. Every file a run writes goes
/// through here: checkpoints, the summary, curves, reports.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
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
        DirectorySync.Flush(directory);
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

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
