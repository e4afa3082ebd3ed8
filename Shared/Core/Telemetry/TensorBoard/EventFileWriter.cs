namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// One TensorBoard event file: <c>events.out.tfevents.SECONDS.HOST</c> in its run folder (TensorBoard looks
/// for that prefix), opened with the file-version event, then one event per <see cref="Write"/>. Safe to
/// call from several threads: each event is framed whole under one lock.
/// </summary>
public sealed class EventFileWriter : IDisposable
{
    public const string Prefix = "events.out.tfevents.";

    // FileStream's buffer bounds what a crash between two flushes can lose.
    private const int BufferBytes = 64 * 1024;

    private readonly object _gate = new();
    private readonly TfRecordWriter _records;
    private bool _disposed;

    private EventFileWriter(string path, FileStream stream)
    {
        Path = path;
        _records = new TfRecordWriter(stream);
        _records.Write(EventEncoder.Version(WallTime()));
    }

    public string Path { get; }

    /// <summary>Creates <paramref name="directory"/> when needed and a new event file in it (never one that exists).</summary>
    public static EventFileWriter Create(string directory)
    {
        Directory.CreateDirectory(directory);
        string name = $"{Prefix}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}";
        for (int attempt = 0; ; attempt++)
        {
            string path = System.IO.Path.Combine(directory, attempt == 0 ? name : $"{name}.{attempt}");
            if (File.Exists(path)) continue;
            try
            {
                return new EventFileWriter(path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, BufferBytes));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer took the name between the check and the create: try the next one.
            }
        }
    }

    public void Write(long step, IReadOnlyList<SummaryValue> values)
    {
        var record = EventEncoder.Summary(WallTime(), step, values);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _records.Write(record);
        }
    }

    /// <summary>Hands what was written to the file, so that TensorBoard sees it while the run goes on.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _records.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _records.Dispose();
        }
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
