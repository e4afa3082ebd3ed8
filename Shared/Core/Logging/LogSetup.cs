using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace DistTrainer.Core.Logging;

/// <summary>
/// Serilog for the programs: warnings and errors on the console (stderr, so that they do not
/// break the progress bar), every event as compact JSON in a file per run, each event carrying
/// the node and role it came from.
/// </summary>
/// <remarks>A worker has no progress bar, so its console also shows what it is doing (information).</remarks>
public static class LogSetup
{
    public static Serilog.Core.Logger Create(string? logDirectory, string role, LogEventLevel console = LogEventLevel.Warning)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .Enrich.WithProperty("Node", Environment.MachineName)
            .Enrich.WithProperty("Role", role)
            .WriteTo.Console(restrictedToMinimumLevel: console, standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
        if (logDirectory is not null)
        {
            Directory.CreateDirectory(logDirectory);
            config = config.WriteTo.File(new CompactJsonFormatter(),
                Path.Combine(logDirectory, $"{role}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.json"));
        }
        return config.CreateLogger();
    }
}
