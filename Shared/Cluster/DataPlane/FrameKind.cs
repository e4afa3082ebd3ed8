namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// What a frame carries. Open: the wire keeps any byte, so a newer peer's kinds reach the owner
/// unchanged. <see cref="Hello"/> and <see cref="Refused"/> carry UTF-8 text, every other kind float32 values;
/// <see cref="GradientsBf16"/> and <see cref="GradientsFp16"/> are a shard result whose gradients are packed two
/// 16-bit values to a float (see PackedShardPayload), so a result says its own wire dtype. <see cref="Snapshot"/> is
/// one chunk of a checkpoint's bytes, from the parameter server to a standby coordinator (see <see cref="SnapshotFrames"/>).
/// With the parameters cut into key ranges (--ps-shards above 1), a shard result travels in pieces: its
/// <see cref="ResultHead"/> (rows, loss, correct count in the header; the batch-norm moments as payload) to the step's
/// master, and one <see cref="GradientPart"/> per range (<see cref="FrameHeader.Layer"/> names the range) to that range's
/// server, which sends its range of each new version back as <see cref="WeightsRange"/> (see KeyRangeStreams); a 16-bit wire
/// sends the part as <see cref="GradientPartBf16"/> or <see cref="GradientPartFp16"/>, packed two to a float. Between the
/// step's master and a range's server, the range's protocol travels as <see cref="RangeControl"/> frames (UTF-8 text: a
/// message's type and its fields), each followed by the float buffers it announces as <see cref="RangeState"/> frames.
/// </summary>
public enum FrameKind : byte
{
    Hello = 1,
    Weights = 2,
    Gradients = 3,
    Moments = 4,
    MomentsReduced = 5,
    GradientSums = 6,
    GradientSumsReduced = 7,
    Refused = 8,
    GradientsBf16 = 9,
    GradientsFp16 = 10,
    Snapshot = 11,
    ResultHead = 12,
    GradientPart = 13,
    WeightsRange = 14,
    RangeControl = 15,
    RangeState = 16,
    GradientPartBf16 = 17,
    GradientPartFp16 = 18,
}
