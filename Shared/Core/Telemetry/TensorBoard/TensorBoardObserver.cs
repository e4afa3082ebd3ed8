using DistTrainer.Core.Nn;
using DistTrainer.Core.Training;

namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// Writes one run into a TensorBoard event file (see <see cref="TensorBoardTags"/>): each step's loss, accuracy,
/// learning rate and throughput, each epoch's train and test figures, a cluster step's time split and counts, and
/// every <c>histogramEvery</c> steps a histogram of each parameter tensor's gradient and weights. The file is
/// flushed at the end of every epoch and when the observer is disposed.
/// </summary>
public sealed class TensorBoardObserver : ITrainingObserver, IGradientObserver, IDisposable
{
    private readonly EventFileWriter _file;
    private readonly IReadOnlyList<TensorPlacement> _layout;
    private readonly float? _learningRate;
    private readonly int _histogramEvery;

    /// <summary>
    /// A new event file in <paramref name="directory"/> for a model whose parameters sit as <paramref name="layout"/>
    /// says, trained at the constant <paramref name="learningRate"/> (null: not written); 0 for
    /// <paramref name="histogramEvery"/> writes no histograms.
    /// </summary>
    public TensorBoardObserver(string directory, IReadOnlyList<TensorPlacement> layout, float? learningRate, int histogramEvery)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(histogramEvery);
        _layout = layout;
        _learningRate = learningRate;
        _histogramEvery = histogramEvery;
        _file = EventFileWriter.Create(directory);
    }

    public string FilePath => _file.Path;

    public void OnStep(StepReport report)
    {
        var values = new List<SummaryValue>(4)
        {
            SummaryValue.Of(TensorBoardTags.StepLoss, report.Loss),
            SummaryValue.Of(TensorBoardTags.StepAccuracy, report.Accuracy),
            SummaryValue.Of(TensorBoardTags.SamplesPerSecond, report.SamplesPerSecond),
        };
        if (_learningRate is { } rate) values.Add(SummaryValue.Of(TensorBoardTags.LearningRate, rate));
        _file.Write(report.Step, values);
    }

    public void OnEpoch(EpochReport report)
    {
        var values = new List<SummaryValue>(4)
        {
            SummaryValue.Of(TensorBoardTags.EpochTrainLoss, report.TrainLoss),
            SummaryValue.Of(TensorBoardTags.EpochTrainAccuracy, report.TrainAccuracy),
        };
        if (report.TestLoss is { } testLoss) values.Add(SummaryValue.Of(TensorBoardTags.EpochTestLoss, testLoss));
        if (report.TestAccuracy is { } testAccuracy) values.Add(SummaryValue.Of(TensorBoardTags.EpochTestAccuracy, testAccuracy));
        _file.Write(report.Step, values);
        _file.Flush();
    }

    public void OnClusterStep(ClusterStepReport report) =>
        _file.Write(report.Step + 1,
        [
            SummaryValue.Of(TensorBoardTags.StepMilliseconds, 1000 * report.StepSeconds),
            SummaryValue.Of(TensorBoardTags.ComputeMilliseconds, 1000 * report.ComputeSeconds),
            SummaryValue.Of(TensorBoardTags.CommunicationMilliseconds, 1000 * report.CommunicationSeconds),
            SummaryValue.Of(TensorBoardTags.ParameterServerMilliseconds, 1000 * report.ApplySeconds),
            SummaryValue.Of(TensorBoardTags.ShardsReassigned, report.ShardsReassigned),
            SummaryValue.Of(TensorBoardTags.StepRestarts, report.StepRestarts),
            SummaryValue.Of(TensorBoardTags.ResultsDropped, report.Duplicates + report.Late + report.Rejected),
            SummaryValue.Of(TensorBoardTags.WorkersReady, report.WorkersReady),
            SummaryValue.Of(TensorBoardTags.WorkersLost, report.WorkersLost),
        ]);

    public void OnGradients(long step, ReadOnlySpan<float> gradients) => WriteHistograms(step, gradients, TensorBoardTags.Gradients);

    public void OnWeights(long step, ReadOnlySpan<float> weights) => WriteHistograms(step, weights, TensorBoardTags.Weights);

    public void Dispose() => _file.Dispose();

    /// <summary>Step indices count from 0; the histograms of step i go with the scalars of i + 1 steps applied.</summary>
    private void WriteHistograms(long step, ReadOnlySpan<float> parameters, Func<string, string> tag)
    {
        if (_histogramEvery == 0 || (step + 1) % _histogramEvery != 0) return;
        var values = new List<SummaryValue>(_layout.Count);
        foreach (var tensor in _layout)
        {
            var slice = parameters.Slice(tensor.Offset, tensor.Length);
            // A weight that overflowed has no histogram; the run reports the failure on its own.
            if (Finite.All(slice)) values.Add(SummaryValue.Of(tag(tensor.Name), Histogram.Of(slice)));
        }
        _file.Write(step + 1, values);
    }
}
