using System.Diagnostics;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A link's rate in bytes per second. A receiver charges bytes that just came in (<see cref="Take"/>) and is held until
/// the link would have carried them; a sender charges bytes about to go out (<see cref="TakeTurn"/>) and is held only
/// until the link has carried what was charged before them, when it would start on these. Either way a sender's and a
/// receiver's bucket overlap as the two ends of one wire do, instead of adding up, and a node's frames to several peers
/// at once leave one after the other, as through one network card. Idle time earns credit up to the burst, no more, so a
/// quiet link cannot later pass a flood at memory speed. Debt is only what callers have charged, one frame each, and a
/// caller is held at most until the debt charged before it and its own are paid: each wait is bounded by that debt over the rate.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly double _bytesPerTick;
    private readonly double _burstBytes;
    private readonly Func<long> _now;
    private readonly Action<TimeSpan> _sleep;
    private double _tokens;
    private long _updated;

    /// <param name="now">The clock, in <see cref="Stopwatch"/> ticks; <paramref name="sleep"/> waits without spinning (a fake pair in tests).</param>
    public TokenBucket(double bytesPerSecond, long burstBytes, Func<long>? now = null, Action<TimeSpan>? sleep = null)
    {
        if (!(bytesPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "a link rate above zero");
        if (burstBytes < 0) throw new ArgumentOutOfRangeException(nameof(burstBytes), burstBytes, "a burst of zero or more bytes");
        BytesPerSecond = bytesPerSecond;
        _bytesPerTick = bytesPerSecond / Stopwatch.Frequency;
        _burstBytes = burstBytes;
        _now = now ?? Stopwatch.GetTimestamp;
        _sleep = sleep ?? FineSleep.For;
        _updated = _now();
        _tokens = burstBytes;
    }

    public double BytesPerSecond { get; }

    /// <summary>Charges <paramref name="bytes"/> and returns once the link has paid for them; returns how long it waited.</summary>
    public TimeSpan Take(long bytes) => WaitUntil(Charge(bytes, upToThese: true));

    /// <summary>
    /// Charges <paramref name="bytes"/> and returns once the link has paid for what was charged before them; returns how long it waited.
    /// </summary>
    public TimeSpan TakeTurn(long bytes) => WaitUntil(Charge(bytes, upToThese: false));

    /// <summary>When the debt before <paramref name="bytes"/>, or up to and including them, is paid; null when it already is.</summary>
    private long? Charge(long bytes, bool upToThese)
    {
        lock (_gate)
        {
            long now = _now();
            _tokens = Math.Min(_burstBytes, _tokens + (now - _updated) * _bytesPerTick);
            _updated = now;
            _tokens -= bytes;
            double owed = upToThese ? -_tokens : -(_tokens + bytes);
            return owed > 0 ? now + (long)Math.Ceiling(owed / _bytesPerTick) : null;
        }
    }

    private TimeSpan WaitUntil(long? paidAt)
    {
        if (paidAt is not { } due) return TimeSpan.Zero;
        // A sleep can end early; wait until the clock is past the moment the debt is paid.
        long waitedFrom = _now();
        for (long now = waitedFrom; now < due; now = _now()) _sleep(Stopwatch.GetElapsedTime(now, due));
        return Stopwatch.GetElapsedTime(waitedFrom, Math.Max(waitedFrom, _now()));
    }
}
