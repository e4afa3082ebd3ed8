using System.Diagnostics;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A link's rate in bytes per second. <see cref="Take"/> charges bytes that just went through and blocks the caller
/// until the link would have carried them: charging after the bytes moved lets a sender's and a receiver's bucket
/// overlap as the two ends of one wire do, instead of adding up. Idle time earns credit up to the burst, no more, so a
/// quiet link cannot later pass a flood at memory speed. Debt is only what callers blocked here have charged (one frame
/// each): every caller waits for its own debt, so none outlives the callers and each wait is bounded by that debt over the rate.
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
    public TimeSpan Take(long bytes)
    {
        long paidAt;
        lock (_gate)
        {
            long now = _now();
            _tokens = Math.Min(_burstBytes, _tokens + (now - _updated) * _bytesPerTick);
            _updated = now;
            _tokens -= bytes;
            if (_tokens >= 0) return TimeSpan.Zero;
            paidAt = now + (long)Math.Ceiling(-_tokens / _bytesPerTick);
        }
        // A sleep can end early; wait until the clock is past the moment the debt is paid.
        long waitedFrom = _now();
        for (long now = waitedFrom; now < paidAt; now = _now()) _sleep(Stopwatch.GetElapsedTime(now, paidAt));
        return Stopwatch.GetElapsedTime(waitedFrom, Math.Max(waitedFrom, _now()));
    }
}
