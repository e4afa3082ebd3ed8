using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A sleep finer than a millisecond. .NET's sleeps and timers count whole milliseconds (a shorter one is a yield, which
/// spins), while a model-sized frame on a 10 Gbit/s link takes under one; Linux's nanosleep wakes within tens of
/// microseconds. Elsewhere the wait is rounded up to a millisecond.
/// </summary>
public static partial class FineSleep
{
    public static void For(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return;
        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(duration.TotalMilliseconds)));
            return;
        }
        long nanoseconds = duration.Ticks * 100;
        var request = new Timespec(nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000);
        // An interrupted sleep returns early; the caller's clock loop sleeps again for what is left.
        _ = NanoSleep(in request, out _);
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in Timespec request, out Timespec remaining);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);
}
