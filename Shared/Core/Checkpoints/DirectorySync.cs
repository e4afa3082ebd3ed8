using System.Runtime.InteropServices;

namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// Flushes a directory's entries to disk, so that a file renamed into it is still there after a power cut.
/// .NET refuses to open a directory as a file, so on Unix this opens it with open(2) and fsyncs the descriptor;
/// Windows makes a rename durable on its own and has no such call.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int InvalidArgument = 22;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
            throw new IOException($"{directory}: cannot open the directory to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            // A file system that cannot sync a directory (EINVAL) keeps nothing there to flush.
            if (Sync(descriptor) != 0 && Marshal.GetLastPInvokeError() != InvalidArgument)
                throw new IOException($"{directory}: cannot flush the directory: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Sync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
