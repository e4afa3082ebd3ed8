using DistTrainer.Coordinator.Lab;
using DistTrainer.Core.Tests;
using Serilog.Core;

namespace DistTrainer.Coordinator.Tests.Lab;

/// <summary>A lab at tiny size writing into a temporary folder, for the experiments' tests.</summary>
internal sealed class TestLab : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TestLab(string experiment, int workers = 0, int? epochs = null, LabScale scale = LabScale.Tiny, int histogramEvery = 0)
    {
        Output = new StringWriter();
        Context = new LabContext(new LabOptions
        {
            Experiment = experiment,
            Out = _directory.Path,
            Workers = workers,
            Epochs = epochs,
            Scale = scale,
            HistogramEvery = histogramEvery,
        }, Logger.None, Output);
    }

    public LabContext Context { get; }
    public StringWriter Output { get; }
    public string Out => _directory.Path;

    /// <summary>The PNG files an experiment wrote into its folder.</summary>
    public string[] Plots(string experiment) => Directory.GetFiles(Path.Combine(Out, experiment), "*.png");

    public void Dispose() => _directory.Dispose();
}
