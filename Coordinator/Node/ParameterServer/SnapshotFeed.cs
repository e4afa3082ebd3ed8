using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Sends a periodic checkpoint to the standby coordinators' data-plane streams as snapshot frames
/// (<see cref="SnapshotFrames"/>), so that a standby on another machine holds the run's newest consistent state. Runs on
/// the checkpoint's writing task, never on the parameter server's thread; it only queues the frames, each stream's send
/// queue bounds what waits for a slow standby, and a standby that does not drain has its stream closed.
/// </summary>
public sealed class SnapshotFeed(int maxPayloadBytes, ILogger log)
{
    /// <summary>A chunk: at most the largest snapshot frame a standby reads, and at most what a frame of this data plane may carry.</summary>
    private readonly int _chunkBytes = Math.Min(maxPayloadBytes, SnapshotFrames.MaxChunkBytes) / sizeof(float) * sizeof(float);

    public void Send(CheckpointContent content, IReadOnlyList<TensorConnection> standbys)
    {
        if (standbys.Count == 0) return;
        byte[] bytes = ModelCheckpoint.ToBytes(content);
        float[] packed = SnapshotFrames.Pack(bytes);
        foreach (var standby in standbys)
        {
            if (SnapshotFrames.Send(standby, content.Step, packed, bytes.Length, _chunkBytes))
                log.Debug("Step {Step}: checkpoint of {Bytes} bytes queued for standby {Standby}", content.Step, bytes.Length, standby.Peer);
            else
                log.Warning("Step {Step}: the checkpoint could not be sent to standby {Standby}: {Reason}", content.Step, standby.Peer,
                    standby.CloseReason?.Message ?? "its stream is closed");
        }
    }
}
