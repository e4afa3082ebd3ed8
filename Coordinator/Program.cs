using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Lab;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Core;
using DistTrainer.Core.Logging;

namespace DistTrainer.Coordinator;

public static class Program
{
    private const string Usage =
        "usage: DistTrainer.Coordinator train [options] | coordinator --expect-workers N [--seed-nodes ...] [options] | " +
        "evaluate --checkpoint FILE [--dataset NAME | --data-dir DIR] [--split test|train] [--out DIR] [--loss NAME] | " +
        "lab NAME|all [--out DIR] [--workers N] [--epochs N] [--size tiny|reduced|full]   (see README.md for the options)";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "train" => Train(args[1..]),
                "coordinator" => Coordinate(args[1..]),
                "evaluate" => Evaluate(args[1..]),
                "lab" => Lab(args[1..]),
                _ => throw new InvalidInputException($"'{args[0]}': unknown command; {Usage}"),
            };
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (CoordinatorStoppedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return TrainCommand.ClusterFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The coordinator of a real cluster: `train` with no embedded workers; it waits for
    /// --expect-workers worker nodes to join through its seed nodes (itself when none are given).
    /// One that is not the first seed node is a standby (<see cref="CoordinateCommand"/>).
    /// </summary>
    private static int Coordinate(string[] args)
    {
        var options = WithDefaultSummary(TrainArguments.Parse(args) with { Workers = 0 });
        if (options.Cluster.ExpectWorkers is null)
            throw new InvalidInputException("coordinator: give --expect-workers N, the worker nodes to wait for before training");
        using var log = LogSetup.Create(options.LogDir ?? Path.Combine("runs", "logs"), "coordinator");
        return CoordinateCommand.Run(options, Console.Out, log);
    }

    /// <summary>Every run from the command line leaves its summary and curves: under runs/ unless --summary says where.</summary>
    private static TrainOptions WithDefaultSummary(TrainOptions options) =>
        options.Summary is null
            ? options with { Summary = Path.Combine("runs", $"train-{DateTime.Now:yyyyMMdd-HHmmss}", "summary.json") }
            : options;

    private static int Evaluate(string[] args)
    {
        var options = EvaluateOptions.Parse(args);
        using var log = LogSetup.Create(Path.Combine("runs", "logs"), "evaluate");
        EvaluateCommand.Run(options, Console.Out, log);
        return 0;
    }

    private static int Lab(string[] args)
    {
        var options = LabOptions.Parse(args);
        // Runs that diverge are part of the lab: each run's outcome is printed, and the log file keeps the details.
        using var log = LogSetup.Create(Path.Combine("runs", "logs"), "lab", console: Serilog.Events.LogEventLevel.Fatal);
        return LabCommand.Run(options, Console.Out, log);
    }

    private static int Train(string[] args)
    {
        var options = WithDefaultSummary(TrainArguments.Parse(args));
        using var log = LogSetup.Create(options.LogDir ?? Path.Combine("runs", "logs"), "coordinator");
        return TrainCommand.Run(options, Console.Out, log, ownsProcess: true);
    }
}
