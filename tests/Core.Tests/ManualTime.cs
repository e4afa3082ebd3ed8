namespace DistTrainer.Core.Tests;

/// <summary>A clock that moves only when told to, for code that takes a <see cref="TimeProvider"/>.</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
