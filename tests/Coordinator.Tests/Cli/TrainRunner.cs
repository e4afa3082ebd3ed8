using System.Text.Json;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Tests;
using Serilog.Core;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>Runs `train` in-process with a summary file and hands back the exit code and the summary.</summary>
internal static class TrainRunner
{
    public static (int Exit, JsonElement Summary, string Output) Run(TempDirectory dir, params string[] args)
    {
        string summary = Path.Combine(dir.Path, "summary.json");
        var output = new StringWriter();
        int exit = TrainCommand.Run(TrainArguments.Parse([.. args, "--summary", summary]), output, Logger.None);
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        return (exit, json.RootElement.Clone(), output.ToString());
    }

    public static JsonElement LastEpoch(JsonElement summary) => summary.GetProperty("epochs").EnumerateArray().Last();
}
