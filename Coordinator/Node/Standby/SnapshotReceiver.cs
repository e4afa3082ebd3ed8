using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// A standby's snapshot stream: connected to the active parameter server's data plane as its registration said, it puts
/// the snapshot frames back together (<see cref="SnapshotAssembler"/>) on the stream's reader thread and writes each
/// complete, checked checkpoint atomically to <see cref="Path"/>, the state a takeover resumes from. A snapshot that
/// does not check out is dropped with one warning; the file keeps the previous one.
/// </summary>
public sealed class SnapshotReceiver : IDisposable
{
    private readonly TensorConnection _connection;
    private readonly SnapshotAssembler _assembler;
    private readonly PayloadPool _payloads;
    private readonly ILogger _log;

    private SnapshotReceiver(TensorConnection connection, string path, long maxSnapshotBytes, PayloadPool payloads, ILogger log)
    {
        _connection = connection;
        Path = path;
        _assembler = new SnapshotAssembler(maxSnapshotBytes);
        _payloads = payloads;
        _log = log;
    }

    /// <summary>Where the newest complete snapshot is kept.</summary>
    public string Path { get; }

    /// <summary>
    /// Connects (blocking, bounded by the settings' timeout and retries) and starts receiving; <paramref name="closed"/>
    /// runs once when the stream closes.
    /// </summary>
    /// <exception cref="IOException">every connect attempt failed</exception>
    public static SnapshotReceiver Connect(StandbyAccepted accepted, string path, StandbySettings settings, DataPlaneOptions dataPlane,
        ILogger log, Action<ConnectionClosed> closed)
    {
        // Always a socket: this receiver writes checkpoint files on the thread that delivers its frames, which in one
        // process would be the parameter server's own.
        var options = dataPlane with { MaxPayloadBytes = SnapshotFrames.MaxChunkBytes, InProcess = false };
        var connection = TensorClient.Connect(accepted.DataPlaneHost, accepted.DataPlanePort, accepted.Node, settings.ConnectTimeout,
            settings.ConnectRetries, options, accepted.StreamToken);
        var receiver = new SnapshotReceiver(connection, path, settings.MaxSnapshotBytes, options.Payloads, log);
        connection.Start((_, frame) => receiver.OnFrame(frame), (_, reason) => closed(reason));
        return receiver;
    }

    /// <summary>True once the stream has closed (the active coordinator went, or refused or closed it).</summary>
    public bool Closed => _connection.CloseReason is not null;

    public void Dispose() => _connection.Dispose();

    private void OnFrame(ReceivedFrame frame)
    {
        try
        {
            if (frame.Header.Kind == FrameKind.Refused)
                _log.Warning("Standby coordinator: the parameter server refused the snapshot stream: {Reason}", frame.Text());
            else if (frame.Header.Kind != FrameKind.Snapshot)
                _log.Warning("Standby coordinator: the parameter server sent a {Kind} frame on the snapshot stream; ignored", frame.Header.Kind);
            else
                Take(frame);
        }
        finally
        {
            _payloads.Return(frame.Payload);
        }
    }

    private void Take(ReceivedFrame frame)
    {
        switch (_assembler.Offer(frame.Header, frame.PayloadBytes, out var reason))
        {
            case SnapshotVerdict.Accepted:
                Keep(_assembler.Latest!);
                break;
            case SnapshotVerdict.Dropped:
                _log.Warning("Standby coordinator: dropped a {Reason}; keeping the previous one", reason);
                break;
        }
    }

    private void Keep(StandbySnapshot snapshot)
    {
        try
        {
            AtomicFile.WriteAllBytes(Path, snapshot.Bytes);
            _log.Information("Standby coordinator: kept the active coordinator's checkpoint of step {Step} ({Bytes} bytes) in {Path}",
                snapshot.Step, snapshot.Bytes.Length, Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Standby coordinator: could not write the checkpoint of step {Step} to {Path}: {Reason}", snapshot.Step, Path, e.Message);
        }
    }
}
