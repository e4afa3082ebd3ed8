using DistTrainer.Cluster.Hosting;
using DistTrainer.Core;
using DistTrainer.Core.Logging;
using DistTrainer.Worker.Cli;
using Serilog.Events;

namespace DistTrainer.Worker;

public static class Program
{
    private const string Usage =
        "usage: DistTrainer.Worker worker [--seed-nodes akka.tcp://disttrainer@host:port,...] [--hostname H] [--port P] " +
        "[--public-hostname H] [--worker-id ID] [--layers SPEC] [--data-dir DIR] [--device auto|cpu|ilgpu] [--threads N] " +
        "[--log-dir DIR] [--registration-timeout SECONDS] [--metrics-port P] [--role worker|ps]";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            if (args[0] != "worker")
                throw new InvalidInputException($"'{args[0]}': unknown command; {Usage}");
            var options = WorkerOptions.Parse(args[1..], Environment.GetEnvironmentVariable);
            using var log = LogSetup.Create(options.LogDir ?? Path.Combine("runs", "logs"), ClusterRoles.Worker, LogEventLevel.Information);
            return WorkerCommand.Run(options, log);
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The node could not start (its port is taken, its log folder cannot be written): it gives up.
            Console.Error.WriteLine($"error: {e.Message}");
            return WorkerCommand.GaveUp;
        }
    }
}
