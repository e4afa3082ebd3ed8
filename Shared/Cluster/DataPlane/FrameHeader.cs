namespace DistTrainer.Shared.Cluster.DataPlane;

/// <summary>
/// The fixed part of a frame. <see cref="PayloadBytes"/> and <see cref="Checksum"/> are filled in by
/// <see cref="TensorConnection.Send"/>; on a received frame they are what the peer sent, already checked.
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
    ulong Checksum = 0);
