using System.Diagnostics;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The procedure every transport of the data-plane benchmark is measured by, so that their figures
/// compare: a warm-up of round trips, an estimate of how many one-way frames fill a window, the best
/// of <see cref="Windows"/> one-way windows, then the median round trip over one window.
/// </summary>
public static class TransportMeasurement
{
    private const int Windows = 3, WarmUpRoundTrips = 20, FewestFramesPerWindow = 5;

    /// <param name="roundTrip">Sends one payload, waits for it to come back; the seconds it took.</param>
    /// <param name="oneWaySeconds">Sends that many payloads back to back, waits until all are delivered; the seconds it took.</param>
    public static TransportFigures Run(int floats, TimeSpan window, Func<double> roundTrip, Func<int, double> oneWaySeconds)
    {
        // A slow transport stops warming up after one window rather than after all its round trips.
        int warmUps = 0;
        var warming = Stopwatch.StartNew();
        while (warmUps < WarmUpRoundTrips && (warmUps == 0 || warming.Elapsed < window))
        {
            roundTrip();
            warmUps++;
        }
        int framesPerWindow = Math.Max(FewestFramesPerWindow, (int)(warmUps * window.TotalSeconds / oneWaySeconds(warmUps)));
        double bestSeconds = Enumerable.Range(0, Windows).Min(_ => oneWaySeconds(framesPerWindow));

        var roundTrips = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window) roundTrips.Add(roundTrip());

        return new TransportFigures(framesPerWindow * floats * 4.0 / bestSeconds / 1e9, Statistics.Median(roundTrips) * 1e6);
    }
}
