namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The fixed part of a frame. <see cref="PayloadBytes"/> and <see cref="Checksum"/> are filled in by
/// <see cref="TensorConnection.Send"/>; on a received frame they are what the peer sent, already checked.
/// A step that had to be planned again (synchronised batch norm lost a shard) is a new
/// <see cref="Attempt"/> of the same step; its frames are told apart by it.
/// </summary>
public readonly record struct FrameHeader(
    FrameKind Kind,
    long Step = 0,
    long WeightsVersion = 0,
    int ShardId = 0,
    int Layer = 0,
    int SampleCount = 0,
    int Correct = 0,
    double LossSum = 0,
    double ComputeSeconds = 0,
    int PayloadBytes = 0,
    int Attempt = 0,
    ulong Checksum = 0);
