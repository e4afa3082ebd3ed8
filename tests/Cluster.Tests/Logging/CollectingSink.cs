using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace DistTrainer.Cluster.Tests.Logging;

/// <summary>Keeps every Serilog event written to it, for tests to look at.</summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>The first event matching <paramref name="match"/>, waiting up to <paramref name="timeout"/> for it.</summary>
    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_events.FirstOrDefault(match) is { } found)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no matching log event within {timeout}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> events at information level or above, one a line with their time: what a test
    /// that failed on a wait prints, so that a failure seen once under load says what the nodes did.
    /// </summary>
    public string Transcript(int count = 60) =>
        string.Join('\n', _events.Where(e => e.Level >= LogEventLevel.Information).TakeLast(count)
            .Select(e => $"{e.Timestamp:HH:mm:ss.fff} {e.Level} {e.RenderMessage()}"));

    public ILogger CreateLogger() => new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(this).CreateLogger();
}
