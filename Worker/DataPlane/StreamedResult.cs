using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Worker.DataPlane;

/// <summary>
/// One shard's result on a worker's key range streams: a head (loss, counts and batch-norm statistics) on the main stream
/// and one gradient part per range on that range's. A float32 result streams while it is computed: backward makes the
/// gradients from the last layer to the first, so the ranges become final from the last to the first, and each one's part
/// is written on its stream as soon as it is (<see cref="GradientsFinal"/>) and travels while the layers before it
/// compute. The head and the parts still held go out once the shard is done (<see cref="Finish"/>), or are never sent when
/// it fails (<see cref="Abandon"/>); a result packed for a 16-bit wire is whole before it starts, and all of it goes out
/// then. The values sent are the payload's, whatever the order: the ranges' servers sum them in shard order once the step's
/// master has every head. Not thread-safe: the shard's compute thread drives it.
/// </summary>
public sealed class StreamedResult
{
    private readonly ParameterServerLink _link;
    private readonly ComputeShard _shard;
    private readonly float[] _payload;
    private readonly PackedShardPayload? _packing;
    private readonly Action _done;
    private int _held;
    private bool _ended;
    private TensorConnection? _failed;

    /// <param name="packing">How a 16-bit wire dtype packed the payload, each range on whole floats of its own (null: float32).</param>
    internal StreamedResult(ParameterServerLink link, ComputeShard shard, float[] payload, PendingSends sends, PackedShardPayload? packing)
    {
        _link = link;
        _shard = shard;
        _payload = payload;
        _packing = packing;
        // One delegate for every send of the payload, the head's and each part's.
        _done = sends.Done;
        _held = link.Ranges;
        GradientsFinal = From;
    }

    /// <summary>What the shard's compute calls as backward finishes each layer (<see cref="ShardComputer.Compute"/>).</summary>
    public GradientsFinal GradientsFinal { get; }

    /// <summary>The ranges whose part has not gone out yet: ranges 0 to this one less.</summary>
    public int HeldRanges => _held;

    private void From(int from)
    {
        if (_ended || _packing is not null) return;
        // Written here, as a finished result is: the kernel takes the bytes into the socket's buffer and the network carries
        // them while backward goes on, with no hand-off to the writer thread (which costs a wake-up on a busy machine).
        while (_held > 0 && _link.RangeStart(_held - 1) >= from) Send(--_held);
    }

    /// <summary>
    /// Sends the head and every part not sent yet, from the calling thread when nothing is queued before them. Throws when a
    /// stream is closed, as a whole result's send does, so that the shard is reported as failed.
    /// </summary>
    public void Finish(ShardOutput output)
    {
        if (_ended) throw new InvalidOperationException($"step {_shard.Step + 1} shard {_shard.ShardId}: its result has ended already");
        _ended = true;
        var header = ParameterServerLink.Header(_shard, output, _packing?.Dtype ?? WireDtype.Fp32);
        int tail = _packing?.GradientFloats ?? _link.RangeStart(_link.Ranges);
        if (_failed is null) _failed = _link.SendHead(header, _payload.AsMemory(tail), _done);
        else _done();
        // The parts still held in range order after the head, as a result sent whole goes.
        for (int range = 0; range < _held; range++) Send(range);
        _held = 0;
        if (_failed is not null) throw ParameterServerLink.Closed(_shard, _failed);
    }

    /// <summary>The shard failed: nothing more is sent, and the payload is free once the parts already sent are written.</summary>
    public void Abandon()
    {
        if (_ended) return;
        _ended = true;
        for (int left = _held + 1; left > 0; left--) _done();
        _held = 0;
    }

    private void Send(int range)
    {
        var header = new FrameHeader(GradientFrames.PartKind(_packing?.Dtype ?? WireDtype.Fp32), _shard.Step, WeightsVersion: _shard.Step,
            _shard.ShardId, Attempt: _shard.Attempt, Layer: range);
        int start = _link.RangeStart(range);
        var (offset, length) = _packing?.RangeFloats(range) ?? (start, _link.RangeStart(range + 1) - start);
        _failed = _link.SendPart(range, header, _payload.AsMemory(offset, length), _done, _failed);
    }
}
