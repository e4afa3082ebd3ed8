using Serilog.Events;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The warnings that say a run in a test process went wrong. Akka's own "heartbeat was delayed" is left out: it says the
/// machine held the node's threads back for seconds (this test's cluster shares two cores with another test's training),
/// not that the run did anything wrong; it failed a parallel test with a 4.7 s delay while the nodes formed. A real
/// program's good run must log no warning at all (CleanExitTests), and the tests that judge the failure detector run alone
/// (<see cref="AloneCollection"/>).
/// </summary>
internal static class RunWarnings
{
    private const string HeartbeatDelayed = "Scheduled sending of heartbeat was delayed";

    public static IEnumerable<LogEvent> Of(IEnumerable<LogEvent> events) =>
        events.Where(e => e.Level >= LogEventLevel.Warning && !e.MessageTemplate.Text.Contains(HeartbeatDelayed, StringComparison.Ordinal));
}
