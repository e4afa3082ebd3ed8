using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Turns a shard result that came with 16-bit gradients (<see cref="FrameKind.GradientsBf16"/>,
/// <see cref="FrameKind.GradientsFp16"/>) into the float32 result the aggregator sums, in a payload from the
/// data plane's pool; the packed payload goes back to it. A result whose length is not the packed length of
/// this model is a malformed frame, refused as the data plane refuses any other.
/// </summary>
public sealed class PackedResults(ShardPayloadLayout layout, PayloadPool payloads)
{
    private readonly PackedShardPayload _bf16 = new(layout, WireDtype.Bf16);
    private readonly PackedShardPayload _fp16 = new(layout, WireDtype.Fp16);

    /// <summary>The float32 result of a packed frame; its packed payload is back in the pool either way.</summary>
    /// <exception cref="FrameProtocolException">the frame's length is not that of a packed result of this model</exception>
    public float[] Unpack(ReceivedFrame frame, WireDtype dtype)
    {
        var packing = dtype == WireDtype.Bf16 ? _bf16 : _fp16;
        try
        {
            if (frame.Header.PayloadBytes != packing.Length * sizeof(float))
                throw new FrameProtocolException(
                    $"malformed {frame.Header.Kind} frame of step {frame.Header.Step + 1} shard {frame.Header.ShardId}: " +
                    $"{frame.Header.PayloadBytes} payload bytes; a {WireDtypes.Name(dtype)} result of this model has {packing.Length * sizeof(float)}");
            var payload = payloads.Rent(layout.Length);
            packing.Unpack(frame.Payload.AsSpan(0, packing.Length), payload);
            return payload;
        }
        finally
        {
            payloads.Return(frame.Payload);
        }
    }
}
