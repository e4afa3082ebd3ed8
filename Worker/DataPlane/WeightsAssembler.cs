using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Worker.DataPlane;

/// <summary>
/// Puts each version of the weights together from its key ranges, which arrive on separate streams (one reader thread
/// each) in any order, and hands every whole version on, oldest first, to <paramref name="deliver"/>, which owns it from
/// then on. A version newer than every one delivered is kept until its last range is in; a version overtaken by a newer
/// whole one is dropped unfinished (a stream that connected after a step was applied never sends its range of the step
/// before), and so is one older than the newest delivered. At most two versions are held at once: a range of a third
/// drops the oldest of the three, so a peer that sends ranges of ever newer versions without finishing any holds two
/// arrays, no more.
/// </summary>
public sealed class WeightsAssembler(int[] cuts, PayloadPool pool, Action<WeightsArrived> deliver)
{
    private const int HeldVersions = 2;

    private readonly Lock _gate = new();
    private readonly List<Partial> _held = [];
    private long _delivered = -1;

    /// <summary>How many key ranges a version is cut into.</summary>
    public int Ranges => cuts.Length - 1;

    /// <summary>
    /// Takes range <paramref name="range"/> of <paramref name="version"/> (its payload goes back to the pool here); throws
    /// <see cref="FrameProtocolException"/> when the range does not exist or the payload's length is not the range's.
    /// </summary>
    public void Offer(long version, int range, float[] payload)
    {
        int length = payload.Length;
        if ((uint)range >= (uint)Ranges || length != cuts[range + 1] - cuts[range])
        {
            pool.Return(payload);
            throw new FrameProtocolException(
                $"a weights range {range} of {length} floats; this run has {Ranges} ranges, bounded at [{string.Join(", ", cuts)}]");
        }
        lock (_gate)
        {
            if (version <= _delivered)
            {
                pool.Return(payload);
                return;
            }
            if (Held(version) is not { } partial)
            {
                pool.Return(payload);
                return;
            }
            if (!partial.Has[range])
            {
                payload.AsSpan(0, length).CopyTo(partial.Weights.AsSpan(cuts[range], length));
                partial.Has[range] = true;
                partial.Count++;
            }
            pool.Return(payload);
            if (partial.Count < Ranges) return;
            // Whole: every older version is overtaken; delivered in the lock, so versions reach the queue in order.
            foreach (var older in _held)
                if (older.Version < version) pool.Return(older.Weights);
            _held.RemoveAll(held => held.Version <= version);
            _delivered = version;
            deliver(new WeightsArrived(version, partial.Weights));
        }
    }

    /// <summary>Versions held unfinished (for the tests of the bound).</summary>
    public int Unfinished
    {
        get
        {
            lock (_gate) return _held.Count;
        }
    }

    // The version's assembly; null when as many versions are held, all newer than it.
    private Partial? Held(long version)
    {
        foreach (var held in _held)
            if (held.Version == version) return held;
        if (_held.Count == HeldVersions)
        {
            var oldest = _held.MinBy(h => h.Version)!;
            if (oldest.Version > version) return null;
            _held.Remove(oldest);
            pool.Return(oldest.Weights);
        }
        var partial = new Partial(version, pool.Rent(cuts[^1]), new bool[Ranges]);
        _held.Add(partial);
        return partial;
    }

    private sealed class Partial(long version, float[] weights, bool[] has)
    {
        public long Version { get; } = version;
        public float[] Weights { get; } = weights;
        public bool[] Has { get; } = has;
        public int Count { get; set; }
    }
}
